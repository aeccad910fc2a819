import type { Lexicon } from './types.js';

// Welsh has two counting systems in everyday use: the decimal one taught in schools
// ("un deg un" = 11, "dau ddeg" = 20) and the traditional one ("un ar ddeg", "ugain").
// prettier-ignore
const UNITS: readonly (readonly [string, number])[] = [
  ['un', 1], ['dau', 2], ['tri', 3], ['pedwar', 4], ['pump', 5],
  ['chwech', 6], ['saith', 7], ['wyth', 8], ['naw', 9],
];

// prettier-ignore
const cardinals: Record<string, number> = {
  // Feminine and pre-noun forms count the same: "dwy", "tair", "pedair", "pum", "chwe", "deng".
  dwy: 2, tair: 3, pedair: 4, pum: 5, chwe: 6, deg: 10, deng: 10,
  'un ar ddeg': 11, deuddeg: 12, 'tri ar ddeg': 13, 'tair ar ddeg': 13, 'pedwar ar ddeg': 14,
  'pedair ar ddeg': 14, pymtheg: 15, 'un ar bymtheg': 16, 'dau ar bymtheg': 17,
  'dwy ar bymtheg': 17, deunaw: 18, 'pedwar ar bymtheg': 19, 'pedair ar bymtheg': 19, ugain: 20,
  'un deg': 10, 'dau ddeg': 20, 'tri deg': 30, 'pedwar deg': 40, 'pum deg': 50, 'chwe deg': 60,
  'saith deg': 70, 'wyth deg': 80, 'naw deg': 90,
  'deg ar hugain': 30, deugain: 40, 'hanner cant': 50, trigain: 60, 'pedwar ugain': 80,
  unwaith: 1, dwywaith: 2, teirgwaith: 3,
};
for (const [word, value] of UNITS) {
  cardinals[word] = value;
  cardinals[`un deg ${word}`] = 10 + value;
}

// Word tables are kept as dense rows: one entry per line would hide the vocabulary.
// prettier-ignore
export const cy: Lexicon = {
  yes: [
    'ie', 'ia', 'do', 'oes', 'ydw', 'yndw', 'ydy', 'ydi', 'yndi', 'ydyn', 'ydan', 'ydych',
    'bydd', 'byddaf', 'byddwn', 'gallaf', 'galla', 'hoffwn', 'wrth gwrs', 'iawn', 'yn iawn',
    'cytuno', 'siŵr iawn', 'ie plis', 'ie wir',
  ],
  no: [
    'na', 'nage', 'nac ydw', 'nac oes', 'nac ydy', 'nac ydi', 'nagoes', 'nadw', 'nacdw',
    'naddo', 'na fydd', 'na fyddaf', 'ddim', 'dim', 'na dim', 'dim o gwbl', 'ddim o gwbl',
    'byth', 'dim diolch', 'na diolch',
  ],
  unsure: [
    'efallai', 'falle', 'hwyrach', 'ddim yn siŵr', 'dim yn siŵr', 'dwn i ddim', 'dwn im',
    "sa i'n gwybod", "sai'n gwybod", 'ddim yn gwybod', 'weithiau', 'ie a na', 'o bosib',
    'o bosibl', 'mewn ffordd', 'rhywfaint',
  ],
  negators: ['ddim', 'dim', 'nid'],
  fillers: ['wel', 'o', 'ym', 'ymm', 'diolch', 'diolch yn fawr', 'diolch o galon', 'plis', 'os gwelwch yn dda'],
  nothingMore: [
    'na', 'naddo', 'nac oes', 'dim', 'dim byd', 'dim byd arall', 'dim byd mwy', 'dim mwy',
    'dim arall', "dyna'r cyfan", 'dyna i gyd', "dyna'r cwbl", 'dyna fe', 'dyna fo', 'dyna ni',
    'dim diolch', 'na diolch', 'wedi gorffen', 'dwi wedi gorffen', 'gorffen', 'digon',
    'dim byd i ychwanegu', "dim byd i'w ychwanegu",
  ],
  cardinals,
  // "dim" is zero but also "not" and "none": "dim yn siŵr" must not read as 0. "cant" (100) is
  // also English "can't" once the apostrophe is folded away.
  standaloneCardinals: { dim: 0, cant: 100 },
  ordinals: {
    cyntaf: 1, gyntaf: 1, ail: 2, trydydd: 3, trydedd: 3, drydedd: 3,
    pedwerydd: 4, bedwerydd: 4, pedwaredd: 4, bedwaredd: 4, pumed: 5, bumed: 5,
    chweched: 6, seithfed: 7, wythfed: 8, nawfed: 9, degfed: 10,
  },
  lastWords: ['olaf', 'ola', 'yr olaf'],
  ordinalSuffixes: ['af', 'il', 'ydd', 'edd', 'ed', 'fed', 'ain'],
  outOf: ['allan o', 'o'],
  minus: ['minws'],
  all: ['y cyfan', 'i gyd', 'nhw i gyd', 'pob un', 'pob un ohonyn nhw', 'popeth', 'y cwbl'],
  both: ['y ddau', 'y ddwy', 'ill dau', 'ill dwy', 'y ddau ohonyn nhw'],
  choiceNegations: ['ddim', 'dim', 'nid', 'heblaw', 'ar wahân i', 'byth'],
  stopWords: [
    'y', 'yr', 'r', 'a', 'ac', 'ag', 'ar', 'i', 'o', 'yn', 'mae', 'dwi', 'dw', 'rwy', 'rydw',
    'fi', 'ei', 'eu', 'am', 'yw', 'gyda', 'gydar', 'ond', 'neu', 'plis', 'diolch', 'opsiwn',
    'rhif', 'hoffwn', 'gwell', 'gen', 'gennyf', 'un',
  ],
  determiners: ['y', 'yr', 'r'],
  decimalComma: false,
  shadows: [],
};
