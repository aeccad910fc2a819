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
 * Where a request's wording lives. `text` is the wording itself when i18next would hand it
 * back unchanged (nothing to interpolate or nest), so it is given without asking i18next.
 */
type Resolution =
  | { readonly found: false }
  | {
      readonly found: true;
      readonly language: string;
      readonly key: string;
      readonly text: string | undefined;
    };

/** Values i18next reads as options rather than as text to interpolate: they may change the wording. */
const I18NEXT_OPTIONS: ReadonlySet<string> = new Set([
  'count',
  'context',
  'ordinal',
  'defaultValue',
  'keyPrefix',
  'lngs',
  'fallbackLng',
  'postProcess',
  'returnDetails',
  'returnObjects',
  'joinArrays',
  'interpolation',
  'skipInterpolation',
  'replace',
]);

/**
 * The engine's `Translate` port over i18next. Every wording of the respondent's language is
 * tried before any of the default language, so a Welsh reader gets standard Welsh rather
 * than plain English. Where a wording lives is worked out once per request shape (the
 * catalog's revision aside); i18next is asked only for texts it changes.
 */
export function createTranslate(catalog: TextCatalog, defaultLanguage: DefaultLanguage): Translate {
  let instance = i18nextOver(catalog);
  let revision = catalog.revision();
  const resolutions = new Map<string, Resolution>();
  return (request) => {
    // A flow published while the server runs brought texts: read the catalog afresh.
    if (catalog.revision() !== revision) {
      instance = i18nextOver(catalog);
      revision = catalog.revision();
      resolutions.clear();
    }
    const fallback = defaultLanguage(request.namespace);
    const shape = `${request.namespace}\u0000${request.key}\u0000${request.language}\u0000${fallback}\u0000${request.variant}\u0000${request.role ?? ''}`;
    let resolution = resolutions.get(shape);
    if (resolution === undefined) {
      resolution = resolve(catalog, request, fallback);
      resolutions.set(shape, resolution);
    }
    if (!resolution.found) return request.key;
    if (resolution.text !== undefined && !readsAsOptions(request.params)) return resolution.text;
    return instance.t(resolution.key, {
      ...request.params,
      lng: resolution.language,
      ns: request.namespace,
    });
  };
}

function resolve(catalog: TextCatalog, request: TextRequest, fallback: string): Resolution {
  const languages = [...new Set([request.language, fallback, 'en'])];
  for (const language of languages) {
    for (const key of candidateKeys(request.key, request.variant, request.role)) {
      const text = catalog.text(language, request.namespace, key);
      if (text !== undefined) return { found: true, language, key, text: plain(text) };
    }
  }
  return { found: false };
}

/** The text when i18next would return it as it stands: not empty, nothing to interpolate or nest. */
function plain(text: string): string | undefined {
  return text !== '' && !text.includes('{{') && !text.includes('$t(') ? text : undefined;
}

function readsAsOptions(params: TextRequest['params']): boolean {
  if (params === undefined) return false;
  for (const name in params) if (I18NEXT_OPTIONS.has(name)) return true;
  return false;
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
