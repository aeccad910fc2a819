/** Carriers' words for "message me again" after STOP (Twilio's defaults, less the ambiguous YES). */
const OPT_IN_WORDS = new Set(['START', 'UNSTOP']);

export function isOptInWord(text: string): boolean {
  return OPT_IN_WORDS.has(
    text
      .normalize('NFKC')
      .toUpperCase()
      .replace(/[^\p{L}]/gu, ''),
  );
}
