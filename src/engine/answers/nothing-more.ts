import { matchPhraseAt } from './phrases.js';
import { emojiVerdict, phraseWords, tokenise } from './tokens.js';
import { vocabularyFor } from './vocabulary.js';

/**
 * For gathering a story over several messages: true when the whole reply means "nothing more"
 * ("no", "nope, that's all, thanks", "dim byd, diolch", "to wszystko").
 *
 * Every word must belong to a "nothing more" phrase or a filler: "no, but my mum also…" is more
 * story, not an ending. When unsure we say false, because wrongly ending someone's story is worse
 * than asking "anything else?" once more. So Polish bare "no" (colloquial "well/yeah") is false.
 */
export function isNothingMore(text: string, language: string): boolean {
  const vocabulary = vocabularyFor(language);
  const tokens = tokenise(text);
  const words = phraseWords(tokens);
  if (words.length === 0) return emojiVerdict(tokens) === 'no';
  let saidSo = false;
  let start = 0;
  while (start < words.length) {
    const ending = matchPhraseAt(vocabulary.nothingMore, words, start);
    if (ending !== undefined) {
      saidSo = true;
      start += ending.length;
      continue;
    }
    const filler = matchPhraseAt(vocabulary.fillers, words, start, { typos: false });
    if (filler === undefined) return false;
    start += filler.length;
  }
  return saidSo;
}
