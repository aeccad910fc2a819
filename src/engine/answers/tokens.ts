import { foldText } from './normalise.js';

/**
 * A reply cut into the pieces the readers care about. Offsets are kept so a reader can tell
 * "4-5" (a range) from "4 -5" (two numbers) and "2.5" from "2. 5".
 */
export type TokenKind = 'word' | 'digits' | 'mark' | 'star' | 'yes-emoji' | 'no-emoji';

export interface Token {
  readonly kind: TokenKind;
  /** Folded text; for digits only the digits, for words without apostrophes ("thats"). */
  readonly text: string;
  /** Letters stuck to the end of digits ("nd" in "2nd", "stars" in "4stars"), else "". */
  readonly suffix: string;
  readonly start: number;
  readonly end: number;
}

// Stars stand for a rating; ☆ (empty) is left out on purpose so "★★★☆☆" reads as 3.
const STARS = '\u2B50\u2605\u{1F31F}';
const YES_EMOJI = '\u{1F44D}\u2705\u2714\u{1F44C}\u2611\u{1F197}';
const NO_EMOJI = '\u{1F44E}\u274C\u2716\u{1F645}\u274E\u{1F6AB}';

const TOKEN = new RegExp(
  [
    String.raw`(?<digits>[0-9]+)(?<suffix>\p{L}+)?`,
    String.raw`(?<word>\p{L}[\p{L}\p{M}]*(?:'\p{L}[\p{L}\p{M}]*)*)`,
    `(?<star>[${STARS}])`,
    `(?<yes>[${YES_EMOJI}])`,
    `(?<no>[${NO_EMOJI}])`,
    String.raw`(?<mark>[/\u2044,.&+\-?!:;#])`,
  ].join('|'),
  'gu',
);

/**
 * One message is read several times over in a step (safeguarding, global words, the answer),
 * so the last text cut up is kept with its tokens: the same text gives the same tokens.
 */
let lastCut: { readonly text: string; readonly tokens: readonly Token[] } | undefined;

export function tokenise(text: string): readonly Token[] {
  if (lastCut?.text === text) return lastCut.tokens;
  const tokens = cut(text);
  lastCut = { text, tokens };
  return tokens;
}

function cut(text: string): readonly Token[] {
  const tokens: Token[] = [];
  for (const match of foldText(text).matchAll(TOKEN)) {
    const kind = kindOf(match.groups ?? {});
    if (kind === undefined) continue;
    const start = match.index;
    const [kindName, value, suffix] = kind;
    tokens.push({ kind: kindName, text: value, suffix, start, end: start + match[0].length });
  }
  return tokens;
}

/** What a match of TOKEN is: its kind, its text and the letters after digits. */
function kindOf(
  groups: Record<string, string | undefined>,
): readonly [TokenKind, string, string] | undefined {
  if (groups['digits'] !== undefined) return ['digits', groups['digits'], groups['suffix'] ?? ''];
  if (groups['word'] !== undefined) return ['word', groups['word'].replace(/'/g, ''), ''];
  if (groups['star'] !== undefined) return ['star', groups['star'], ''];
  if (groups['yes'] !== undefined) return ['yes-emoji', groups['yes'], ''];
  if (groups['no'] !== undefined) return ['no-emoji', groups['no'], ''];
  if (groups['mark'] !== undefined)
    return ['mark', groups['mark'] === '\u2044' ? '/' : groups['mark'], ''];
  return undefined;
}

/** The words and numbers of a reply, punctuation and emoji dropped: what phrases are matched against. */
export function phraseWords(tokens: readonly Token[]): string[] {
  return tokens.filter(isWordLike).map((token) => token.text + token.suffix);
}

/** The same folding for table entries as for replies, so "dyna'r cyfan" meets "Dyna’r cyfan". */
export function wordsOf(text: string): string[] {
  return phraseWords(tokenise(text));
}

export function isWordLike(token: Token): boolean {
  return token.kind === 'word' || token.kind === 'digits';
}

/** True when two tokens touch, with no space between them. */
export function touching(left: Token | undefined, right: Token | undefined): boolean {
  return left !== undefined && right !== undefined && left.end === right.start;
}

/** 'yes' or 'no' when the reply's meaningful emoji agree, 'mixed' when they disagree. */
export function emojiVerdict(tokens: readonly Token[]): 'yes' | 'no' | 'mixed' | undefined {
  const yes = tokens.some((token) => token.kind === 'yes-emoji');
  const no = tokens.some((token) => token.kind === 'no-emoji');
  if (yes && no) return 'mixed';
  if (yes) return 'yes';
  if (no) return 'no';
  return undefined;
}
