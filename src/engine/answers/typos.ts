/**
 * Typo tolerance. One slip (a missing, extra, wrong or swapped letter) is forgiven, and only on
 * words of five letters or more: short words are one letter away from too many other words
 * ("yes"/"yet", "three"/"there" is already five), so forgiving them would mean guessing.
 */
export const TYPO_MIN_LENGTH = 5;

/** True when `typed` is plausibly a misspelling of `known`, never when they are equal. */
export function isLikelyTypo(typed: string, known: string): boolean {
  return (
    typed !== known &&
    typed.length >= TYPO_MIN_LENGTH &&
    known.length >= TYPO_MIN_LENGTH &&
    isOneEditApart(typed, known)
  );
}

/** Optimal-string-alignment distance ≤ 1: insertion, deletion, substitution or adjacent swap. */
export function isOneEditApart(a: string, b: string): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > 1) return false;
  let same = 0;
  while (same < a.length && same < b.length && a[same] === b[same]) same += 1;
  if (a.length === b.length) {
    if (a.slice(same + 1) === b.slice(same + 1)) return true;
    return (
      a[same] === b[same + 1] && a[same + 1] === b[same] && a.slice(same + 2) === b.slice(same + 2)
    );
  }
  return a.length > b.length
    ? a.slice(same + 1) === b.slice(same)
    : a.slice(same) === b.slice(same + 1);
}
