/**
 * Turning what people really text into answers, per language. Pure: no I/O, no clock, no i18n.
 * Every reader returns undefined (or false) rather than guess, so the caller can ask again.
 */
export { parseYesNo, type YesNo } from './yes-no.js';
export { parseNumber, parseScale } from './numbers.js';
export { parseChoice, type ChoiceOption } from './choice.js';
export { isNothingMore } from './nothing-more.js';
export { matchGlobalWord, type GlobalWord } from './global-words.js';
