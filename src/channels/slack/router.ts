import express, { type Router } from 'express';
import { handleBlockAction } from './block-actions.js';
import { loadBolt } from './bolt.js';
import { slackLibraryLogger } from './bolt-logger.js';
import { slackParticipant, type SlackChannelDeps } from './deps.js';
import { InFlightWork } from './in-flight.js';
import { handleDirectMessage } from './inbound-message.js';
import { errorCode } from './respond.js';
import { blockActionsBody, readDirectMessage, slashCommandBody } from './payloads.js';
import { consultationList, SLASH_COMMAND } from './slash-command.js';
import { refuseOutsideTimestampWindow } from './timestamp-window.js';

/** Events, interactivity and the slash command all arrive here (see slack-app-manifest.yaml). */
export const SLACK_EVENTS_PATH = '/slack/events';
/** Slack's bodies are small; a block_actions body carries the clicked message, still far below this. */
const BODY_LIMIT = 1024 * 1024;

export interface SlackChannel {
  /** Mount with `app.use(...)`, with no global body parser before it: Bolt reads the raw body to verify it. */
  readonly router: Router;
  /** Resolves when the work begun after Slack's acknowledgements is done (for shutdown and tests). */
  idle(): Promise<void>;
}

/**
 * The Slack channel: Bolt on our Express app at `POST /slack/events`.
 *
 * 1. Verify: our check refuses requests without signature headers or stamped more than five
 *    minutes from now in either direction; Bolt then checks the HMAC signature (and the
 *    past side again), answers `url_verification` and refuses a bad signature with 401.
 * 2. Acknowledge: Bolt answers an event before its listener runs; clicks are acknowledged
 *    first thing; the slash command's answer is the list itself, within Slack's 3 seconds.
 * 3. Then the work: parse with zod, hand to the conversation service (which drops an event
 *    id or clicked message it has seen: Slack's retries, a double click), post the replies.
 */
export function createSlackChannel(deps: SlackChannelDeps): SlackChannel {
  const { logger } = deps;
  const router = express.Router();
  router.post(SLACK_EVENTS_PATH, refuseOutsideTimestampWindow(deps.clock, logger));
  // Once acknowledged, Slack never sends an event again: while the store is down, refuse
  // before the ack (503), so Slack retries the event later instead of it being lost.
  router.post(SLACK_EVENTS_PATH, async (_req, res, next) => {
    if (await deps.store.ping()) {
      next();
      return;
    }
    logger.warn({ code: 'store_unavailable' }, 'slack event refused until the store is back');
    res.status(503).type('text/plain').send('Try again shortly.');
  });
  const { App, ExpressReceiver } = loadBolt();
  const boltLogger = slackLibraryLogger(logger, 'bolt');
  const receiver = new ExpressReceiver({
    signingSecret: deps.config.signingSecret,
    endpoints: SLACK_EVENTS_PATH,
    router,
    processBeforeResponse: false,
    bodyLimit: BODY_LIMIT,
    logger: boltLogger,
  });
  const app = new App({
    receiver,
    // One workspace, one bot token. No auth.test: nothing here needs the bot's own ids (bot
    // messages are recognised by their bot_id), and no network call stands before an ack.
    authorize: () => Promise.resolve({ botToken: deps.config.botToken }),
    ignoreSelf: false,
    logger: boltLogger,
  });
  const work = new InFlightWork();
  const inLane = (userId: string, task: () => Promise<void>): Promise<void> =>
    work.run(deps.refOf(slackParticipant(userId)), async () => {
      try {
        await task();
      } catch (error) {
        logger.error({ code: errorCode(error) }, 'slack work failed after the acknowledgement');
      }
    });

  app.event('message', async ({ body, context }) => {
    const read = readDirectMessage(body);
    if (!read.ok) {
      logger.debug({ reason: read.reason }, 'slack event ignored');
      return;
    }
    const { message } = read;
    await inLane(message.userId, () => handleDirectMessage(deps, message, context.retryNum));
  });

  app.action({ type: 'block_actions' }, async ({ ack, body }) => {
    await ack();
    const parsed = blockActionsBody.safeParse(body);
    if (!parsed.success) {
      logger.warn(
        { code: 'invalid_input', fields: parsed.error.issues.map((i) => i.path.join('.')) },
        'slack click not understood',
      );
      return;
    }
    await inLane(parsed.data.user.id, () => handleBlockAction(deps, parsed.data));
  });

  app.command(SLASH_COMMAND, async ({ ack, body }) => {
    const parsed = slashCommandBody.safeParse(body);
    if (!parsed.success) {
      await ack();
      return;
    }
    try {
      await ack(await consultationList(deps, parsed.data.user_id));
    } catch (error) {
      logger.error({ code: errorCode(error) }, 'slack command failed');
      await ack();
    }
  });

  app.error(async (error) => {
    logger.error({ code: error.code }, 'slack listener failed');
  });

  return { router, idle: () => work.idle() };
}
