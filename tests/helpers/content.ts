import { readFileSync } from 'node:fs';
import { createCatalog, type Resources, type TextCatalog } from '../../src/i18n/catalog.js';
import { loadContent } from '../../src/flow/content.js';
import { createTranslate } from '../../src/i18n/translate.js';
import type { Translate } from '../../src/engine/types.js';
import type { FlowRegistry } from '../../src/flow/registry.js';

/** The shipped flows and translations, loaded as the server loads them. */
export function shippedContent(): {
  flows: FlowRegistry;
  catalog: TextCatalog;
  translate: Translate;
} {
  const { flows, catalog } = loadContent({ flowsDir: 'flows', localesDir: 'locales' });
  return {
    flows,
    catalog,
    translate: createTranslate(catalog, (ns) => flows.get(ns)?.languages[0] ?? 'en'),
  };
}

/** The shipped shared texts and safeguarding lists for the given languages, plus fixture namespaces. */
export function catalogWith(extra: Resources): TextCatalog {
  const resources: Resources = {};
  const shipped = (language: string, namespace: string): Record<string, unknown> =>
    JSON.parse(readFileSync(`locales/${language}/${namespace}.json`, 'utf8')) as Record<
      string,
      unknown
    >;
  for (const [language, namespaces] of Object.entries(extra)) {
    resources[language] = {
      common: shipped(language, 'common'),
      safeguarding: shipped(language, 'safeguarding'),
      ...namespaces,
    };
  }
  return createCatalog(resources);
}
