import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { FlowProblem } from '../flow/problems.js';

/** `resources[language][namespace]` as read from `locales/<language>/<namespace>.json`. */
export type Resources = Record<string, Record<string, Record<string, unknown>>>;

export interface TextCatalog {
  readonly resources: Resources;
  /** True when the language itself has the key (no fallback to another language). */
  has(language: string, namespace: string, key: string): boolean;
  /** The language's own text for the key, if it has one (no fallback to another language). */
  text(language: string, namespace: string, key: string): string | undefined;
  languages(): string[];
  /**
   * Lays a namespace's texts over those in place, language by language: the new wording of a
   * key wins, and keys only the older texts have stay, because a conversation on an earlier
   * version of a flow may still need them.
   */
  mergeNamespace(namespace: string, byLanguage: Readonly<Record<string, TextBundle>>): void;
  /** Counts merges, so that a translator built on the catalog knows to read it again. */
  revision(): number;
}

/** One `<language>/<namespace>.json`: keys to texts, or to objects of further keys. */
export type TextBundle = Record<string, unknown>;

export function createCatalog(resources: Resources): TextCatalog {
  let revision = 0;
  return {
    resources,
    has: (language, namespace, key) =>
      typeof lookup(resources[language]?.[namespace], key) === 'string',
    text: (language, namespace, key) => {
      const value = lookup(resources[language]?.[namespace], key);
      return typeof value === 'string' ? value : undefined;
    },
    languages: () => Object.keys(resources),
    mergeNamespace: (namespace, byLanguage) => {
      for (const [language, texts] of Object.entries(byLanguage)) {
        const namespaces = (resources[language] ??= {});
        namespaces[namespace] = mergeTexts(namespaces[namespace] ?? {}, texts);
      }
      revision += 1;
    },
    revision: () => revision,
  };
}

/** A new object: `newer` laid over `older`, nested keys (`options.morning`) merged one by one. */
function mergeTexts(older: TextBundle, newer: TextBundle): TextBundle {
  const merged: TextBundle = { ...older };
  for (const [key, value] of Object.entries(newer)) {
    const before = merged[key];
    merged[key] = isBundle(before) && isBundle(value) ? mergeTexts(before, value) : value;
  }
  return merged;
}

function isBundle(value: unknown): value is TextBundle {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows `options.morning` into `{ "options": { "morning": ... } }`. */
export function lookup(bundle: Record<string, unknown> | undefined, key: string): unknown {
  let value: unknown = bundle;
  for (const part of key.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

export interface LoadedCatalog {
  readonly catalog: TextCatalog;
  readonly problems: FlowProblem[];
}

/** Reads every `<language>/<namespace>.json` below `dir`; a broken file is a problem, not a crash. */
export function loadCatalog(dir: string): LoadedCatalog {
  const resources: Resources = {};
  const problems: FlowProblem[] = [];
  for (const language of readdirSync(dir).sort()) {
    const folder = join(dir, language);
    if (!statSync(folder).isDirectory() || !/^[a-z]{2,3}$/.test(language)) continue;
    for (const name of readdirSync(folder).sort()) {
      if (!name.endsWith('.json')) continue;
      const file = join(folder, name);
      try {
        const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
          throw new Error('expected an object of texts');
        (resources[language] ??= {})[name.slice(0, -'.json'.length)] = parsed as Record<
          string,
          unknown
        >;
      } catch (error) {
        problems.push({
          file,
          path: '',
          message: `cannot read translations: ${(error as Error).message}`,
          fix: 'make it a JSON object of "key": "text" pairs',
        });
      }
    }
  }
  return { catalog: createCatalog(resources), problems };
}
