import { toGsmFriendly } from '../../render/gsm.js';
import type { Wording } from './messages.js';

export interface AdviceRule {
  readonly id: 'double_barrelled' | 'leading';
  readonly languages: readonly string[];
  readonly pattern: RegExp;
  readonly advice: string;
}

export interface Advice extends Wording {
  readonly messageId: string;
  readonly rule: AdviceRule['id'];
  readonly advice: string;
  readonly found: string;
}

/** A whole-word, case-blind match of any of the phrases. */
function anyPhrase(phrases: readonly string[]): RegExp {
  const escaped = phrases.map((phrase) => phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`\\b(?:${escaped.join('|')})\\b`, 'i');
}

/** Wording advice for question texts; never an error, since only a person can judge it. */
export const QUESTION_ADVICE_RULES: readonly AdviceRule[] = [
  {
    id: 'double_barrelled',
    languages: ['en'],
    pattern: /\?[^?]*\band\b[^?]*\?/i,
    advice: 'two questions joined by "and": ask one at a time, so each answer means one thing',
  },
  {
    id: 'leading',
    languages: ['en'],
    // "How good ..." is the neutral way to ask for a rating, so it is not here.
    pattern: anyPhrase([
      "don't you agree",
      'do you not agree',
      "don't you think",
      "wouldn't you say",
      "wouldn't you agree",
      "isn't it true",
      'surely',
      'how great',
      'how excellent',
      'how wonderful',
      'how amazing',
      'how bad',
      'how awful',
      'how terrible',
    ]),
    advice: 'a leading question suggests its answer: ask neutrally, e.g. "How good or poor ..."',
  },
];

/** The advice rules a question text breaks, in its language. */
export function questionAdvice(
  text: string,
  language: string,
): { rule: AdviceRule['id']; advice: string; found: string }[] {
  // Curly apostrophes would hide "don’t you agree" from the phrases, which use straight ones.
  const straight = toGsmFriendly(text);
  return QUESTION_ADVICE_RULES.flatMap((rule) => {
    const match = rule.languages.includes(language) ? rule.pattern.exec(straight) : null;
    return match === null ? [] : [{ rule: rule.id, advice: rule.advice, found: match[0] }];
  });
}
