import type { Lexicon } from './types.js';

// prettier-ignore
const cardinals: Record<string, number> = {
  zero: 0, jeden: 1, jedna: 1, jedno: 1, dwa: 2, dwie: 2, trzy: 3, cztery: 4, pięć: 5,
  sześć: 6, siedem: 7, osiem: 8, dziewięć: 9, dziesięć: 10, jedenaście: 11, dwanaście: 12,
  trzynaście: 13, czternaście: 14, piętnaście: 15, szesnaście: 16, siedemnaście: 17,
  osiemnaście: 18, dziewiętnaście: 19, dwadzieścia: 20, trzydzieści: 30, czterdzieści: 40,
  pięćdziesiąt: 50, sześćdziesiąt: 60, siedemdziesiąt: 70, osiemdziesiąt: 80,
  dziewięćdziesiąt: 90, sto: 100,
  // "raz" is "once": frequency answers are numbers too ("dwa razy" already reads as 2).
  raz: 1,
};

// Polish ordinals agree with the noun ("druga opcja", "drugi wybór", "drugie"), so every
// form counts. Accusative "drugą" folds to "druga" and needs no entry of its own.
function adjectiveForms(masculine: string): string[] {
  const stem = masculine.slice(0, -1);
  if (masculine.endsWith('ci') || masculine.endsWith('ni')) {
    return ['i', 'ia', 'ie', 'iego', 'iej'].map((ending) => stem + ending);
  }
  if (masculine.endsWith('gi') || masculine.endsWith('ki')) {
    return ['i', 'a', 'ie', 'iego', 'iej'].map((ending) => stem + ending);
  }
  return ['y', 'a', 'e', 'ego', 'ej'].map((ending) => stem + ending);
}

// prettier-ignore
const ORDINALS = ['pierwszy', 'drugi', 'trzeci', 'czwarty', 'piąty', 'szósty', 'siódmy', 'ósmy', 'dziewiąty', 'dziesiąty'];

const ordinals: Record<string, number> = {};
ORDINALS.forEach((masculine, index) => {
  for (const form of adjectiveForms(masculine)) ordinals[form] = index + 1;
});

// Word tables are kept as dense rows: one entry per line would hide the vocabulary.
// prettier-ignore
export const pl: Lexicon = {
  yes: [
    'tak', 'tak tak', 'jasne', 'oczywiście', 'pewnie', 'pewno', 'no tak', 'dobrze', 'dobra', 'zgoda',
    'owszem', 'na pewno', 'raczej tak', 'absolutnie', 'absolutnie tak', 'tak jest',
    'jak najbardziej', 'chętnie', 'poproszę', 'tak poproszę', 'zgadzam się', 'okej', 'oki',
  ],
  no: [
    'nie', 'nie nie', 'nie bardzo', 'nie za bardzo', 'raczej nie', 'absolutnie nie', 'na pewno nie',
    'oczywiście nie', 'nigdy', 'wcale', 'wcale nie', 'nie dziękuję', 'nie chcę', 'no nie',
  ],
  unsure: [
    'może', 'nie wiem', 'nie jestem pewien', 'nie jestem pewna', 'nie jestem pewny',
    'trudno powiedzieć', 'ciężko powiedzieć', 'czasami', 'czasem', 'tak i nie', 'chyba',
    'to zależy', 'zależy', 'możliwe', 'być może', 'nie wiadomo', 'nwm',
  ],
  negators: ['nie'],
  // Colloquial "no" is a softener ("no tak" = yes, "no nie" = no), so it is a filler here.
  fillers: [
    'no', 'cóż', 'eee', 'yyy', 'więc', 'a więc', 'dziękuję', 'dzięki', 'dziękuję bardzo',
    'dzięki wielkie', 'proszę', 'pozdrawiam', 'ok', 'okej',
  ],
  nothingMore: [
    'nie', 'nie dziękuję', 'to wszystko', 'to już wszystko', 'już wszystko', 'nic więcej',
    'więcej nic', 'już nic', 'nic', 'to tyle', 'to na tyle', 'to by było na tyle', 'gotowe',
    'skończyłem', 'skończyłam', 'nie mam nic więcej', 'nie mam nic do dodania',
    'nic do dodania', 'koniec', 'na tym koniec', 'wystarczy',
  ],
  cardinals,
  standaloneCardinals: {},
  ordinals,
  lastWords: adjectiveForms('ostatni'),
  ordinalSuffixes: ['szy', 'sza', 'sze', 'gi', 'ga', 'gie', 'ci', 'cia', 'cie', 'ty', 'ta', 'te', 'my', 'ma', 'me'],
  outOf: ['na', 'z', 'ze'],
  minus: ['minus'],
  all: ['wszystko', 'wszystkie', 'wszystkich', 'wszystkie trzy', 'wszystkie z nich', 'każdy', 'każda', 'każde'],
  both: ['oba', 'obie', 'obydwa', 'obydwie', 'obaj', 'jedno i drugie', 'jeden i drugi', 'jedna i druga'],
  choiceNegations: ['nie', 'oprócz', 'poza', 'bez', 'żaden', 'żadna', 'żadne', 'ani'],
  stopWords: [
    'i', 'a', 'w', 'we', 'z', 'ze', 'na', 'do', 'się', 'jest', 'jestem', 'o', 'po', 'mi', 'mnie',
    'ja', 'to', 'ten', 'ta', 'tę', 'lub', 'albo', 'oraz', 'czy', 'proszę', 'dziękuję', 'wybieram',
    'opcja', 'opcję', 'numer', 'nr', 'chcę', 'chciałbym', 'chciałabym', 'wolę', 'najlepiej',
  ],
  determiners: ['ten', 'ta', 'tę', 'to', 'tamten', 'tamta', 'tamto'],
  decimalComma: true,
  // English "no" is colloquial agreement in Polish and "ten" means "this": neither is read the English way.
  shadows: ['no', 'ten'],
};
