/**
 * The words one language uses to answer. Entries are written the way people spell them (accents,
 * apostrophes, capitals are fine): they are folded exactly like replies before comparison.
 * English is always merged in underneath another language, because many respondents are bilingual.
 */
export interface Lexicon {
  readonly yes: readonly string[];
  readonly no: readonly string[];
  /** Hedges: any of these anywhere in a reply makes a yes/no answer unclear. */
  readonly unsure: readonly string[];
  /** Words that turn a following "yes" word into something else ("not ok", "ddim yn iawn"). */
  readonly negators: readonly string[];
  /** Words around an answer that carry no answer of their own ("well", "um", "thanks", "diolch"). */
  readonly fillers: readonly string[];
  /** Ways to say "nothing more to add" when we gather a story over several messages. */
  readonly nothingMore: readonly string[];
  /** Number words and phrases, 0–20 and the tens to 100; "twenty one" is composed, not listed. */
  readonly cardinals: Readonly<Record<string, number>>;
  /** Number words that are also ordinary words ("dim" is also "not"): a number only when alone. */
  readonly standaloneCardinals: Readonly<Record<string, number>>;
  readonly ordinals: Readonly<Record<string, number>>;
  /** "last", "olaf", "ostatni": the last option, whatever its number. */
  readonly lastWords: readonly string[];
  /** Letters written after digits to make an ordinal ("2nd", "2il", "2-gi"). */
  readonly ordinalSuffixes: readonly string[];
  /** "4 out of 5", "4 allan o 5", "4 na 5": the number after these is the scale, not the answer. */
  readonly outOf: readonly string[];
  /** Words that make the following number negative ("minus 2"). */
  readonly minus: readonly string[];
  /** Choosing every option at once. */
  readonly all: readonly string[];
  /** Choosing both options of two. */
  readonly both: readonly string[];
  /** Words that make a choice unclear rather than pick the option they mention ("not mornings"). */
  readonly choiceNegations: readonly string[];
  /** Words too common to pick an option by ("the", "and", "yn", "się"). */
  readonly stopWords: readonly string[];
  /** Words after which "one" is a pronoun, not a number ("that one", "yr un", "ten"). */
  readonly determiners: readonly string[];
  /** True when "2,5" is two and a half rather than two numbers. */
  readonly decimalComma: boolean;
  /** English words that mean something else in this language, so their English reading is switched off. */
  readonly shadows: readonly string[];
}
