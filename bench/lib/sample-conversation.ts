import { startSession, step } from '../../src/engine/step.js';
import type { Session } from '../../src/engine/types.js';
import type { Flow } from '../../src/flow/flow.js';
import { loadContent } from '../../src/flow/content.js';
import { createTranslate } from '../../src/i18n/translate.js';
import { CONVERSATION } from './traffic.js';

export const DEMO_FLOW = 'day-centre-weekends';

/** The demo conversation as the engine plays it: the session after the keyword and at the end. */
export interface SampleConversation {
  readonly flow: Flow;
  /** After the keyword: active, waiting for the first answer. */
  readonly opened: Session;
  /** After the last answer: completed, every answer saved. */
  readonly completed: Session;
}

/**
 * Plays the conversation the inbound load sends (keyword, then every answer) through the
 * real engine, so the sessions and records the linear costs store have the real shape and
 * size rather than one made up here.
 */
export function playSampleConversation(now: Date): SampleConversation {
  const { flows, catalog } = loadContent({ flowsDir: 'flows', localesDir: 'locales' });
  const translate = createTranslate(catalog, (ns) => flows.get(ns)?.languages[0] ?? 'en');
  const flow = flows.get(DEMO_FLOW);
  if (flow === undefined) throw new Error(`the demo flow ${DEMO_FLOW} is missing`);
  const ctx = { now, translate };
  const opened = startSession(flow, { language: 'en' }, ctx).session;
  let completed = opened;
  for (const text of CONVERSATION.slice(1)) {
    completed = step(flow, completed, { type: 'text', text }, ctx).session;
  }
  if (completed.status !== 'completed')
    throw new Error(`the demo conversation ended ${completed.status}`);
  return { flow, opened, completed };
}
