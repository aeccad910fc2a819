import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldText } from '../src/engine/answers/normalise.js';
import { tokenise } from '../src/engine/answers/tokens.js';

describe('folding replies', () => {
  it('folds a plain ASCII reply as it folds the same reply among other scripts', () => {
    // A Cyrillic word after a space sends the reply down the full Unicode path.
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 40 }), (text) => {
        expect(`${foldText(text)} ж`).toBe(foldText(`${text} ж`));
      }),
      { numRuns: 2_000 },
    );
    expect(foldText('YESSS I`m SOOO happy')).toBe("yes i'm so happy");
  });

  it('cuts a reply read twice over into the same tokens, whatever was read between', () => {
    const reply = 'Mornings and 2nd, 👍';
    const first = tokenise(reply);
    tokenise('something else entirely');
    expect(tokenise(reply)).toEqual(first);
    expect(first.map((token) => token.kind)).toEqual([
      'word',
      'word',
      'digits',
      'mark',
      'yes-emoji',
    ]);
  });
});
