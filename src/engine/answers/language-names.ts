/**
 * What people type to switch language: the language's own name, its English name, and its
 * name in the other languages we ship where people commonly use it ("Saesneg", "angielski").
 * The bare code ("CY") is accepted too and needs no entry. Add a line to support a language.
 */
export const LANGUAGE_NAMES: Readonly<Record<string, readonly string[]>> = {
  en: ['English', 'Saesneg', 'Angielski'],
  cy: ['Cymraeg', 'Welsh', 'Walijski'],
  pl: ['Polski', 'Polish', 'Po polsku', 'Pwyleg'],
  ur: ['اردو', 'Urdu'],
  bn: ['বাংলা', 'Bangla', 'Bengali'],
  pa: ['ਪੰਜਾਬੀ', 'پنجابی', 'Punjabi', 'Panjabi'],
  so: ['Soomaali', 'Af-Soomaali', 'Somali'],
  ar: ['العربية', 'عربي', 'Arabic'],
};
