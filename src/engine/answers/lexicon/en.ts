import type { Lexicon } from './types.js';

// prettier-ignore
const UNITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
// prettier-ignore
const TEENS = ['ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];

const cardinals: Record<string, number> = {
  nought: 0,
  // Frequency answers ("How often?") are numbers too.
  once: 1,
  twice: 2,
  fourty: 40,
  hundred: 100,
  'a hundred': 100,
  'one hundred': 100,
};
UNITS.forEach((word, value) => (cardinals[word] = value));
TEENS.forEach((word, index) => (cardinals[word] = 10 + index));
TENS.forEach((word, index) => (cardinals[word] = 20 + 10 * index));

// Word tables are kept as dense rows: one entry per line would hide the vocabulary.
// prettier-ignore
export const en: Lexicon = {
  yes: [
    'yes', 'y', 'yeah', 'yea', 'yeh', 'yah', 'ya', 'ye', 'yh', 'yep', 'yup', 'yas', 'aye',
    'sure', 'ok', 'okay', 'okey', 'k', 'kk', 'alright', 'all right', 'fine',
    'of course', 'ofc', 'course', 'definitely', 'defo', 'deffo', 'definately', 'certainly',
    'absolutely', 'correct', 'true', 'affirmative', 'indeed', 'agreed', 'i agree', 'thats right',
    'yes please', 'go on', 'go ahead', 'why not', 'no problem', 'no worries',
    'i do', 'i did', 'i have', 'i am', 'i will', 'i would', 'i can', 'i dont mind', 'dont mind',
  ],
  no: [
    'no', 'n', 'nope', 'nah', 'naw', 'nay', 'not really', 'no thanks', 'no thank you', 'never',
    'negative', 'not at all', 'no way', 'definitely not', 'certainly not', 'absolutely not',
    'of course not', 'false', 'incorrect', 'not yet', 'not now', 'not at the moment', 'not for me',
    'rather not', 'id rather not', 'dont think so', 'i dont think so',
    'i dont', 'i do not', 'i didnt', 'i did not', 'i havent', 'i have not', 'im not', 'i am not',
    'i wont', 'i will not', 'i wouldnt', 'i would not', 'i cant', 'i cannot',
  ],
  unsure: [
    'maybe', 'perhaps', 'possibly', 'probably', 'not sure', 'unsure', 'not certain', 'dunno',
    'dont know', 'do not know', 'idk', 'no idea', 'sometimes', 'depends', 'it depends',
    'yes and no', 'yes or no', 'kind of', 'kinda', 'sort of', 'sorta', 'hmm', 'not always',
    'might', 'could be', 'either',
  ],
  negators: ['not', 'dont', 'didnt', 'doesnt', 'isnt', 'arent', 'wasnt', 'werent'],
  fillers: [
    'well', 'um', 'umm', 'erm', 'er', 'uh', 'uhm', 'oh', 'ah', 'so', 'lol',
    'thanks', 'thank you', 'thankyou', 'thx', 'ty', 'cheers', 'ta', 'please', 'pls', 'plz', 'x', 'xx',
    'ok', 'okay', 'really', 'i think', 'for now', 'at the moment', 'anymore', 'to add', 'to say',
  ],
  nothingMore: [
    'no', 'n', 'nope', 'nah', 'no thanks', 'no thank you', 'not really', 'nothing', 'nothing else',
    'nothing more', 'nothing further', 'no more', 'no nothing', 'thats all', 'that is all',
    'thats it', 'that is it', 'thats everything', 'thats about it', 'thats enough', 'enough',
    'done', 'im done', 'i am done', 'all done', 'finished', 'im finished', 'i am finished',
    'all good', 'im good', 'i am good', 'that will do', 'thatll do', 'nothing to add',
    'nothing else to add', 'nothing more to add', 'nothing else to say', 'no more to say',
  ],
  cardinals,
  standaloneCardinals: { none: 0, nil: 0 },
  ordinals: {
    first: 1, second: 2, third: 3, fourth: 4, fifth: 5,
    sixth: 6, seventh: 7, eighth: 8, ninth: 9, tenth: 10,
  },
  lastWords: ['last', 'final', 'the last'],
  ordinalSuffixes: ['st', 'nd', 'rd', 'th'],
  outOf: ['out of', 'outta', 'of'],
  minus: ['minus'],
  all: ['all', 'all of them', 'all of the above', 'all the above', 'all three', 'everything', 'every one', 'the lot'],
  both: ['both', 'both of them'],
  choiceNegations: ['not', 'no', 'dont', 'never', 'except', 'apart from', 'other than', 'neither', 'nor', 'without', 'but not'],
  stopWords: [
    'i', 'im', 'id', 'ive', 'me', 'my', 'a', 'an', 'the', 'and', 'or', 'but', 'to', 'of', 'in',
    'on', 'at', 'for', 'is', 'are', 'am', 'be', 'it', 'its', 'that', 'this', 'with', 'please',
    'pls', 'thanks', 'option', 'options', 'number', 'choose', 'pick', 'like', 'would', 'want',
    'prefer', 'say', 'go', 'one', 'ones', 'them', 'best', 'some', 'any', 'just', 'only', 'usually',
    'mostly', 'also', 'very', 'really',
  ],
  determiners: ['the', 'that', 'this', 'which'],
  decimalComma: false,
  shadows: [],
};
