import { describe, expect, it } from 'vitest';
import type { TextRequest } from '../src/engine/types.js';
import { createCatalog } from '../src/i18n/catalog.js';
import { createTranslate } from '../src/i18n/translate.js';

const request = (key: string, more: Partial<TextRequest> = {}): TextRequest => ({
  namespace: 'visit',
  key,
  language: 'cy',
  variant: 'standard',
  role: undefined,
  ...more,
});

function translator() {
  const catalog = createCatalog({
    en: {
      visit: {
        thanks: 'Thank you',
        thanks_plain: 'Thanks',
        greet: 'Hello {{name}}, about {{title}}',
        visits: 'one visit',
        visits_one: '{{count}} visit',
        visits_other: '{{count}} visits',
        empty: '',
      },
    },
    cy: { visit: { thanks: 'Diolch' } },
  });
  return { catalog, translate: createTranslate(catalog, () => 'en') };
}

describe('translate', () => {
  it('gives the same wording every time it is asked, the best candidate first', () => {
    const { translate } = translator();
    for (let i = 0; i < 3; i++) {
      expect(translate(request('thanks'))).toBe('Diolch');
      expect(translate(request('thanks', { variant: 'plain' }))).toBe('Diolch');
      expect(translate(request('thanks', { language: 'pl', variant: 'plain' }))).toBe('Thanks');
      expect(translate(request('nowhere'))).toBe('nowhere');
    }
  });

  it('fills in values each time, and hands i18next the values it reads as options', () => {
    const { translate } = translator();
    expect(translate(request('greet', { params: { name: 'Ann', title: 'Visits' } }))).toBe(
      'Hello Ann, about Visits',
    );
    expect(translate(request('greet', { params: { name: 'Bob', title: 'Visits' } }))).toBe(
      'Hello Bob, about Visits',
    );
    expect(translate(request('visits'))).toBe('one visit');
    expect(translate(request('visits', { params: { count: 3 } }))).toBe('3 visits');
    // i18next treats an empty text as missing: the key comes back, as it always did.
    expect(translate(request('empty'))).toBe('empty');
  });

  it('reads texts merged after a wording was given, and texts for keys that had none', () => {
    const { catalog, translate } = translator();
    expect(translate(request('thanks', { language: 'en' }))).toBe('Thank you');
    expect(translate(request('later', { language: 'en' }))).toBe('later');
    catalog.mergeNamespace('visit', { en: { thanks: 'Thank you so much', later: 'See you' } });
    expect(translate(request('thanks', { language: 'en' }))).toBe('Thank you so much');
    expect(translate(request('later', { language: 'en' }))).toBe('See you');
  });
});
