import { z } from 'zod';
import { classifySlackFailure } from '../channels/slack/api-errors.js';
import type { SlackClient } from '../channels/slack/client.js';
import { SLACK_USER_ID } from '../channels/slack/payloads.js';
import type { SlackLookup } from './invitee.js';

const lookedUp = z.object({ user: z.object({ id: z.string().regex(SLACK_USER_ID) }) });

/**
 * Finds the Slack user behind an email (users.lookupByEmail) before a launch, so that the
 * person is known by their user id: the id their sessions, opt-out and invitations are kept under.
 */
export function slackLookup(client: SlackClient): SlackLookup {
  return async (email) => {
    try {
      const parsed = lookedUp.safeParse(await client.users.lookupByEmail({ email }));
      return parsed.success
        ? { userId: parsed.data.user.id }
        : { reason: 'Slack answered without a user id' };
    } catch (error) {
      const { code } = classifySlackFailure(error);
      return {
        reason:
          code === 'users_not_found'
            ? 'no Slack user with this email in the workspace'
            : `Slack could not look up this email (${code})`,
      };
    }
  };
}
