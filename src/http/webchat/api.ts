import { randomUUID } from 'node:crypto';
import express from 'express';
import { z } from 'zod';
import { FlowNotFoundError, type Outcome } from '../../conversation/service.js';
import type { Input, Reply } from '../../engine/types.js';
import type { Variant } from '../../flow/flow.js';
import { renderForSms } from '../../render/sms.js';
import type { Runtime } from '../../runtime.js';
import type { ParticipantKey } from '../../store/session-store.js';
import { describeFlows } from './flow-choices.js';
import { parseInput, InvalidInputError } from './invalid-input.js';
import { pageLabelsByLanguage } from './page-labels.js';

/** Longer than any SMS conversation turn needs; keeps one message from filling the store. */
export const MAX_TEXT_LENGTH = 2000;
/** Every request body the web chat takes is small; larger ones are refused with 413. */
export const BODY_LIMIT = '64kb';

const startRequest = z.strictObject({
  flowId: z.string().min(1).max(100),
  language: z
    .string()
    .regex(/^[a-z]{2,3}$/, 'use a language code such as en, cy or pl')
    .optional(),
  variant: z.enum(['standard', 'plain']).optional(),
});

/** The page gives each message an id, so a double click or a resend is not taken twice. */
const messageId = z.uuid().optional();
const messageRequest = z.union([
  z.strictObject({ text: z.string().min(1).max(MAX_TEXT_LENGTH), messageId }),
  z.strictObject({
    messageId,
    choice: z.strictObject({
      stepId: z.string().min(1).max(100),
      values: z.array(z.string().min(1).max(100)).min(1).max(50),
    }),
  }),
]);

const conversationParams = z.object({ id: z.uuid() });

/** A reply as the engine made it, plus the text message it would be, for the page's preview. */
export type WebReply = Reply & { readonly sms: string };

function toWebReplies(replies: readonly Reply[]): WebReply[] {
  return replies.map((reply) => ({ ...reply, sms: renderForSms(reply) }));
}

/**
 * The language or wording the conversation switched to this turn (someone typed "Cymraeg" or
 * "easy read"), so the page can label what follows correctly.
 */
function switchedWording(outcome: Outcome): { language?: string; variant?: Variant } {
  const language = outcome.events.findLast((event) => event.type === 'language_changed')?.language;
  const variant = outcome.events.findLast((event) => event.type === 'variant_changed')?.variant;
  return {
    ...(language === undefined ? {} : { language }),
    ...(variant === undefined ? {} : { variant }),
  };
}

function webParticipant(conversationId: string): ParticipantKey {
  return { channel: 'web', address: conversationId };
}

/**
 * The JSON API behind /chat. Each conversation is a fresh random id: the web chat is a
 * try-out, not a way to reach a real respondent, so nothing ties it to a person.
 */
export function createWebChatApi(runtime: Runtime): express.Router {
  const router = express.Router();
  // JSON parsing only here: provider webhooks elsewhere read their own body formats.
  const json = express.json({ limit: BODY_LIMIT, strict: true });

  router.get('/chat/api/flows', (_req, res) => {
    const flows = describeFlows(runtime);
    const languages = [
      ...new Set([
        'en',
        ...flows.flatMap((flow) => flow.languages.map((language) => language.code)),
      ]),
    ];
    res.json({ flows, labels: pageLabelsByLanguage(runtime, languages) });
  });

  router.post('/chat/api/conversations', json, async (req, res) => {
    const request = parseInput(startRequest, req.body, 'start request');
    const flow = runtime.flows.get(request.flowId);
    if (flow === undefined) throw new FlowNotFoundError(request.flowId);
    if (request.language !== undefined && !flow.languages.includes(request.language)) {
      throw new InvalidInputError(
        `invalid start request: language: '${flow.id}' is offered in ${flow.languages.join(', ')}`,
      );
    }
    const conversationId = randomUUID();
    const outcome = await runtime.conversations.start(webParticipant(conversationId), flow.id, {
      language: request.language,
      variant: request.variant,
    });
    res.status(201).json({
      conversationId,
      status: outcome.status,
      replies: toWebReplies(outcome.replies),
      language: request.language ?? flow.languages[0],
      variant:
        request.variant === 'plain' && flow.variants.includes('plain') ? 'plain' : 'standard',
    });
  });

  router.post('/chat/api/conversations/:id/messages', json, async (req, res) => {
    const { id } = parseInput(conversationParams, req.params, 'conversation id');
    const request = parseInput(messageRequest, req.body, 'message');
    const input: Input =
      'text' in request
        ? { type: 'text', text: request.text }
        : { type: 'choice', ...request.choice };
    const outcome = await runtime.conversations.receive(
      webParticipant(id),
      input,
      request.messageId,
    );
    res.json({
      status: outcome.status,
      duplicate: outcome.duplicate,
      replies: toWebReplies(outcome.replies),
      ...switchedWording(outcome),
    });
  });

  return router;
}
