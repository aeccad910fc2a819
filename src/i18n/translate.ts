import i18next, { type i18n } from 'i18next';
import type { TextRequest, Translate } from '../engine/types.js';
import type { TextCatalog } from './catalog.js';

/** The language to fall back to for a namespace: a flow's default language, or English. */
export type DefaultLanguage = (namespace: string) => string;

/**
 * Keys that may answer a request, best first. Plain wording outranks role wording: being
 * understood matters more than being addressed by role. Names follow i18next's context
 * convention (`story_carer_plain`), so translators' tools know them.
 */
export function candidateKeys(
  key: string,
  variant: TextRequest['variant'],
  role: string | undefined,
): string[] {
  const plain = variant === 'plain';
  return [
    ...(plain && role !== undefined ? [`${key}_${role}_plain`] : []),
    ...(plain ? [`${key}_plain`] : []),
    ...(role !== undefined ? [`${key}_${role}`] : []),
    key,
  ];
}

/**
 * The engine's `Translate` port over i18next. Every wording of the respondent's language is
 * tried before any of the default language, so a Welsh reader gets standard Welsh rather
 * than plain English.
 */
export function createTranslate(catalog: TextCatalog, defaultLanguage: DefaultLanguage): Translate {
  let instance = i18nextOver(catalog);
  let revision = catalog.revision();
  return (request) => {
    // A flow published while the server runs brought texts: read the catalog afresh.
    if (catalog.revision() !== revision) {
      instance = i18nextOver(catalog);
      revision = catalog.revision();
    }
    const languages = [...new Set([request.language, defaultLanguage(request.namespace), 'en'])];
    for (const language of languages) {
      for (const key of candidateKeys(request.key, request.variant, request.role)) {
        if (catalog.has(language, request.namespace, key)) {
          return instance.t(key, { ...request.params, lng: language, ns: request.namespace });
        }
      }
    }
    return request.key;
  };
}

/** An i18next instance over a snapshot of the catalog: what i18next keeps of it is its own business. */
function i18nextOver(catalog: TextCatalog): i18n {
  const instance = i18next.createInstance();
  void instance.init({
    resources: structuredClone(catalog.resources),
    initAsync: false,
    fallbackLng: false,
    returnNull: false,
    returnEmptyString: false,
    nsSeparator: false,
    interpolation: { escapeValue: false },
  });
  return instance;
}
