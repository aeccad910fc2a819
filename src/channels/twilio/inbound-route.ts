import express, { type Router } from 'express';
import { z } from 'zod';
import type { TwilioConfig } from '../../config.js';
import type { ConversationService, Outcome } from '../../conversation/service.js';
import type { Reply, Translate } from '../../engine/types.js';
import type { FlowRegistry } from '../../flow/registry.js';
import { noteOnRequestLine } from '../../http/request-line.js';
import type { Logger } from '../../logger.js';
import { renderForSms } from '../../render/sms.js';
import type { RateLimiter } from '../../store/rate-limiter.js';
import type { ParticipantKey } from '../../store/session-store.js';
import { fromTwilioAddress } from './addresses.js';
import { verifyTwilioSignature } from './signature.js';
import { messagingTwiml } from './twiml.js';

export interface TwilioInboundDeps {
  readonly config: TwilioConfig;
  readonly conversations: ConversationService;
  readonly flows: FlowRegistry;
  readonly limiter: RateLimiter;
  readonly translate: Translate;
  readonly refOf: (key: ParticipantKey) => string;
  readonly floodLimitPerMinute: number;
  readonly outboundLimitPerHour: number;
  readonly logger: Logger;
}

/** Twilio's request limit is far below this; a larger body is not from Twilio. */
const BODY_LIMIT = '64kb';
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A stranger gets the "how to take part" reply at most once a day, so two bots cannot loop. */
const HELP_WINDOW_MS = 24 * HOUR;

/** The parameters carevoice reads; Twilio adds others without notice, and they are let be. */
const inboundMessage = z.object({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-fA-F]{32}$/),
  From: z.string().min(1),
  Body: z.string().max(1600).default(''),
  /** Set when Twilio's Advanced Opt-Out matched STOP, START or HELP and has answered already. */
  OptOutType: z.enum(['STOP', 'START', 'HELP']).optional(),
});

/**
 * `POST /twilio/messages`: inbound SMS and WhatsApp. Verify, parse, hand to the conversation
 * service, and answer with TwiML carrying the replies (one <Message> each).
 */
export function createTwilioInboundRouter(deps: TwilioInboundDeps): Router {
  const router = express.Router();
  router.post(
    '/twilio/messages',
    express.urlencoded({ extended: false, limit: BODY_LIMIT }),
    verifyTwilioSignature(deps.config, deps.logger),
    async (req, res) => {
      const parsed = inboundMessage.safeParse(req.body);
      const key = parsed.success ? fromTwilioAddress(parsed.data.From) : undefined;
      if (!parsed.success || key === undefined) {
        deps.logger.warn(
          {
            code: 'invalid_input',
            route: req.path,
            fields: parsed.success ? ['From'] : parsed.error.issues.map((i) => i.path.join('.')),
          },
          'refused a Twilio message',
        );
        res.status(400).type('text/plain').send('Not a Twilio message.');
        return;
      }
      const message = parsed.data;
      const ref = deps.refOf(key);
      // The flood guard and the reply cap are counted in the store's own round trips.
      const outcome = await deps.conversations.receive(
        key,
        { type: 'text', text: message.Body },
        message.MessageSid,
        {
          inbound: { name: 'sms-in', key: ref, windowMs: MINUTE, limit: deps.floodLimitPerMinute },
          // Twilio answers its opt-out keywords itself: replies to them are not sent, nor counted.
          outbound:
            message.OptOutType === undefined
              ? { name: 'sms-out', key: ref, windowMs: HOUR }
              : undefined,
          report: (fields) => noteOnRequestLine(res, { conversation: fields }),
        },
      );
      const replies = await handle(deps, key, ref, message, outcome);
      const counted = replies === outcome.replies ? outcome.sent : undefined;
      res.type('text/xml').send(twiml(await capped(deps, key, ref, replies, counted)));
    },
  );
  return router;
}

async function handle(
  deps: TwilioInboundDeps,
  key: ParticipantKey,
  ref: string,
  message: z.infer<typeof inboundMessage>,
  outcome: Outcome,
): Promise<readonly Reply[]> {
  const count = outcome.flooded;
  if (count !== undefined) {
    deps.logger.warn(
      { code: 'flood_guard', channel: key.channel, count },
      'too many messages from one sender',
    );
    return count === deps.floodLimitPerMinute + 1 ? [commonMessage(deps, 'slow_down')] : [];
  }
  // Twilio has answered STOP, START or HELP itself; a second answer would only confuse.
  if (outcome.duplicate || message.OptOutType !== undefined) return [];
  if (outcome.status === 'none' && outcome.replies.length === 0) return stranger(deps, ref);
  return outcome.replies;
}

/** Someone texting with no conversation and no keyword: how to take part, once a day. */
async function stranger(deps: TwilioInboundDeps, ref: string): Promise<readonly Reply[]> {
  const { count } = await deps.limiter.hit('sms-help', ref, HELP_WINDOW_MS);
  if (count > 1) return [];
  const keyword = deps.flows.list().flatMap((flow) => flow.keywords)[0] ?? 'HELP';
  return [commonMessage(deps, 'unknown_sender', { keyword })];
}

/**
 * At most `outboundLimitPerHour` messages an hour to one person: a stop for reply loops. The
 * replies are counted together, by the conversation's commit when it has (`counted`: the
 * window's count, these included), else here in one round trip; a reply past the cap, and
 * every one after it, is held back.
 */
async function capped(
  deps: TwilioInboundDeps,
  key: ParticipantKey,
  ref: string,
  replies: readonly Reply[],
  counted: number | undefined,
): Promise<readonly Reply[]> {
  if (replies.length === 0) return replies;
  const count = counted ?? (await deps.limiter.hit('sms-out', ref, HOUR, replies.length)).count;
  const allowed = Math.max(0, deps.outboundLimitPerHour - (count - replies.length));
  if (allowed >= replies.length) return replies;
  deps.logger.warn(
    { code: 'outbound_capped', channel: key.channel },
    'reply not sent: hourly cap for this person reached',
  );
  return replies.slice(0, allowed);
}

function commonMessage(
  deps: TwilioInboundDeps,
  key: string,
  params: Record<string, string> = {},
): Reply {
  return {
    type: 'message',
    text: deps.translate({
      namespace: 'common',
      key,
      language: 'en',
      variant: 'standard',
      role: undefined,
      params,
    }),
  };
}

function twiml(replies: readonly Reply[]): string {
  return messagingTwiml(replies.map(renderForSms));
}
