import { performance } from 'node:perf_hooks';
import { startSession, step } from '../../src/engine/step.js';
import { loadContent } from '../../src/flow/content.js';
import { createTranslate } from '../../src/i18n/translate.js';
import { CONVERSATION } from './traffic.js';

export interface EngineFigures {
  readonly stepsPerSecond: number;
  readonly conversations: number;
}

/**
 * The pure engine alone on the demo flow, in this process (no I/O, no server): the
 * conversation the load sends, start to end, again and again for `durationMs`. Starting a
 * session counts as a step, as it is what the keyword costs.
 */
export function measureEngine(durationMs: number): EngineFigures {
  const { flows, catalog } = loadContent({ flowsDir: 'flows', localesDir: 'locales' });
  const translate = createTranslate(catalog, (ns) => flows.get(ns)?.languages[0] ?? 'en');
  const flow = flows.get('day-centre-weekends');
  if (flow === undefined) throw new Error('the demo flow day-centre-weekends is missing');
  const answers = CONVERSATION.slice(1);
  const now = new Date('2026-01-05T10:00:00Z');
  const conversation = (): number => {
    let { session } = startSession(flow, { language: 'en' }, { now, translate });
    for (const text of answers) {
      ({ session } = step(flow, session, { type: 'text', text }, { now, translate }));
    }
    if (session.status !== 'completed')
      throw new Error(`the demo conversation ended ${session.status}`);
    return 1 + answers.length;
  };
  // Warm the JIT first, so the figure is the steady state a long-running server sees.
  const warmUntil = performance.now() + Math.min(1_000, durationMs / 2);
  while (performance.now() < warmUntil) conversation();
  let steps = 0;
  let conversations = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < durationMs) {
    steps += conversation();
    conversations++;
    elapsed = performance.now() - started;
  }
  return { stepsPerSecond: (steps / elapsed) * 1000, conversations };
}
