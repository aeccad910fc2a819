import type { CommonKey } from '../../engine/common-text.js';
import { helpText } from '../../engine/global-words.js';
import { renderQuestion, say, sayCommon, type Speaker } from '../../engine/questions.js';
import { followUpText, hasFollowUp, startSession } from '../../engine/step.js';
import type { EngineContext, Translate } from '../../engine/types.js';
import type { Flow, Variant } from '../../flow/flow.js';
import { isQuestion } from '../../flow/steps.js';
import { renderForSms } from '../../render/sms.js';
import { signposting } from '../../engine/safeguarding.js';
import { UK_SIGNPOSTING } from '../../safeguarding/signposting.js';

/** The language, variant and role a text is worded in; `null` is the wording without a role. */
export interface Wording {
  readonly language: string;
  readonly variant: Variant;
  readonly role: string | null;
}

export interface SentText {
  readonly id: string;
  readonly text: string;
}

export interface SentTexts {
  /** Each text once, steps in file order, then the shared texts. */
  readonly all: readonly SentText[];
  /** What a respondent receives at each step on the way through, for the longest run. */
  readonly byStep: ReadonlyMap<string, readonly SentText[]>;
  /** Each question's own text (without options or hint), for the wording advice. */
  readonly questions: ReadonlyMap<string, string>;
}

/** The wording does not depend on the time, but the engine wants one. */
const LINT_TIME = new Date(0);

/**
 * Shared texts the engine may send a respondent who is at a question, and whether this wording
 * can get them. HELP is not here: the engine composes that reply (see `helpText`).
 */
const SHARED_TEXTS: readonly {
  readonly key: CommonKey;
  readonly sent: (flow: Flow, wording: Wording) => boolean;
}[] = [
  { key: 'follow_up_go_ahead', sent: (flow) => Object.values(flow.steps).some(hasFollowUp) },
  { key: 'reask', sent: () => true },
  { key: 'move_on', sent: () => true },
  { key: 'skipped', sent: () => true },
  { key: 'language_changed', sent: (flow) => flow.languages.length > 1 },
  // Said after switching, so only ever in the easy-read wording.
  { key: 'variant_changed', sent: (_, wording) => wording.variant === 'plain' },
  { key: 'stopped', sent: () => true },
  { key: 'reminder', sent: (flow) => flow.reminderDelaysMs.length > 0 },
];

/** Every text this wording can send, made by the engine's own functions and renderForSms. */
export function sentTexts(flow: Flow, wording: Wording, translate: Translate): SentTexts {
  const ctx: EngineContext = { now: LINT_TIME, translate };
  const options = {
    language: wording.language,
    variant: wording.variant,
    role: wording.role ?? undefined,
  };
  const started = startSession(flow, options, ctx);
  const speaker: Speaker = { flow, session: started.session, ctx };
  const message = (text: string): string => renderForSms({ type: 'message', text });
  const byStep = new Map<string, SentText[]>();
  const questions = new Map<string, string>();
  for (const [id, def] of Object.entries(flow.steps)) {
    const sent: SentText[] = [];
    if (isQuestion(def)) {
      const reply = renderQuestion(speaker, id, def);
      questions.set(id, reply.type === 'question' ? reply.text : '');
      sent.push({ id, text: renderForSms(reply) });
      // The first answer to an open question with a follow-up always gets "anything else?".
      if (hasFollowUp(def)) {
        const followUpId =
          typeof def.follow_up === 'string' ? `${id}.follow_up` : 'common.follow_up';
        sent.push({ id: followUpId, text: message(followUpText(speaker, def)) });
      }
    } else if (def.say !== undefined) sent.push({ id, text: message(say(speaker, def.say)) });
    byStep.set(id, sent);
  }
  const shared: SentText[] = [];
  if (started.session.status === 'active') {
    shared.push({ id: 'common.help', text: message(helpText(speaker)) });
    for (const { key, sent } of SHARED_TEXTS)
      if (sent(flow, wording))
        shared.push({ id: `common.${key}`, text: message(sayCommon(speaker, key)) });
    shared.push(...signpostingTexts(speaker));
  }
  const all = new Map(
    [...byStep.values()]
      .flat()
      .concat(shared)
      .map((s) => [s.id, s]),
  );
  return { all: [...all.values()], byStep, questions };
}

/** A local safeguarding line as long as most, to count the segments of the wording with one. */
const LOCAL_LINE_EXAMPLE = '0300 123 4567';

/** The signposting reply (national numbers, then with a local line) and the message after it. */
function signpostingTexts(speaker: Speaker): SentText[] {
  const then = speaker.flow.safeguarding.then === 'pause' ? 'paused' : 'continues';
  const withLocal = { ...(speaker.ctx.signposting ?? UK_SIGNPOSTING), local: LOCAL_LINE_EXAMPLE };
  const [help, after] = signposting(speaker, then);
  const [localHelp] = signposting(
    { ...speaker, ctx: { ...speaker.ctx, signposting: withLocal } },
    then,
  );
  return [
    ['safeguarding.signposting', help],
    ['safeguarding.signposting_local', localHelp],
    [`safeguarding.concern_${then === 'paused' ? 'paused' : 'noted'}`, after],
  ].flatMap(([id, reply]) =>
    reply === undefined || typeof reply === 'string'
      ? []
      : [{ id: id as string, text: renderForSms(reply) }],
  );
}
