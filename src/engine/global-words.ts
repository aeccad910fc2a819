import type { Flow } from '../flow/flow.js';
import type { QuestionStepDef } from '../flow/schema.js';
import { matchGlobalWord } from './answers/index.js';
import { declineConsent } from './consent.js';
import { renderQuestion, sayCommon, type Speaker } from './questions.js';
import { branch, enter, record, setVariant, type Turn } from './turn.js';
import type { EngineContext } from './types.js';

export function handleGlobalWord(
  flow: Flow,
  turn: Turn,
  current: QuestionStepDef,
  text: string,
  ctx: EngineContext,
): boolean {
  const global = matchGlobalWord(text, flow.languages);
  if (global === undefined) return false;
  const speaker = (): Speaker => ({ flow, session: turn.session, ctx });
  const id = turn.session.stepId;
  switch (global.word) {
    case 'stop':
      turn.session = { ...turn.session, status: 'opted_out' };
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'stopped') });
      turn.events.push({ type: 'opted_out' });
      return true;
    case 'help':
      turn.replies.push({ type: 'message', text: helpText(speaker()) });
      turn.replies.push(renderQuestion(speaker(), id, current));
      turn.events.push({ type: 'help_requested', stepId: id });
      return true;
    case 'language':
      turn.session = { ...turn.session, language: global.language };
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'language_changed') });
      turn.replies.push(renderQuestion(speaker(), id, current));
      turn.events.push({ type: 'language_changed', language: global.language });
      return true;
    case 'plain':
      // Without an easy-read variant the words are an ordinary reply (an open answer, say).
      if (!flow.variants.includes('plain')) return false;
      setVariant(turn, 'plain');
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'variant_changed') });
      turn.replies.push(renderQuestion(speaker(), id, current));
      return true;
    case 'skip':
      // Skipping the consent question is not saying yes.
      if (current.ask === 'consent') {
        declineConsent(flow, turn, current, ctx);
        return true;
      }
      turn.replies.push({ type: 'message', text: sayCommon(speaker(), 'skipped') });
      record(turn, id, current, { status: 'skipped', at: ctx.now.toISOString() });
      enter(flow, turn, branch(current, undefined), ctx);
      return true;
  }
}

/** The reply to HELP: the common help, the other languages offered and the easy-read offer. */
export function helpText(speaker: Speaker): string {
  const { flow, session } = speaker;
  const lines = [sayCommon(speaker, 'help')];
  const others = flow.languages.filter((language) => language !== session.language);
  if (others.length > 0) {
    const names = others.map((language) =>
      speaker.ctx.translate({
        namespace: 'common',
        key: 'language_name',
        language,
        variant: session.variant,
        role: undefined,
      }),
    );
    lines.push(sayCommon(speaker, 'help_languages', { languages: names.join(', ') }));
  }
  if (flow.variants.includes('plain') && session.variant !== 'plain')
    lines.push(sayCommon(speaker, 'help_plain_offer'));
  return lines.join('\n');
}
