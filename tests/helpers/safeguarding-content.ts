import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Flow } from '../../src/flow/flow.js';
import { loadFlowSource, type FlowLoad } from '../../src/flow/load.js';
import type { Resources } from '../../src/i18n/catalog.js';
import { createTranslate } from '../../src/i18n/translate.js';
import type { Translate } from '../../src/engine/types.js';
import { catalogWith } from './content.js';

const FIXTURES = 'tests/fixtures/safeguarding';

/** The texts of a fixture flow, by language, from tests/fixtures/safeguarding/locales. */
function fixtureTexts(id: string, languages: readonly string[]): Resources {
  return Object.fromEntries(
    languages.map((language) => [
      language,
      {
        [id]: JSON.parse(
          readFileSync(`${FIXTURES}/locales/${language}/${id}.json`, 'utf8'),
        ) as Record<string, unknown>,
      },
    ]),
  );
}

/** Loads flow source against the shipped common and safeguarding texts plus the fixture flow's. */
export function loadWithFixtureTexts(
  source: string,
  textsOf = 'carer-check-in',
  languages: readonly string[] = ['en', 'cy'],
): FlowLoad {
  return loadFlowSource('inline.yaml', source, {
    catalog: catalogWith(fixtureTexts(textsOf, languages)),
    localesDir: 'locales',
  });
}

/** The fixture flow that asks for consent and pauses after a concern, and its wording. */
export function carerCheckIn(): { flow: Flow; translate: Translate } {
  const catalog = catalogWith(fixtureTexts('carer-check-in', ['en', 'cy']));
  const loaded = loadFlowSource(
    `${FIXTURES}/flows/carer-check-in.yaml`,
    readFileSync(`${FIXTURES}/flows/carer-check-in.yaml`, 'utf8'),
    { catalog, localesDir: 'locales' },
  );
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { flow: loaded.flow, translate: createTranslate(catalog, () => 'en') };
}

/**
 * A FLOWS_DIR and LOCALES_DIR with the shipped content and the fixture flow, for tests that
 * run the whole server. `remove()` deletes them.
 */
export function contentWithFixtureFlow(): { flowsDir: string; localesDir: string; remove(): void } {
  const root = mkdtempSync(join(tmpdir(), 'carevoice-safeguarding-'));
  const flowsDir = join(root, 'flows');
  const localesDir = join(root, 'locales');
  cpSync('flows', flowsDir, { recursive: true });
  cpSync(`${FIXTURES}/flows`, flowsDir, { recursive: true });
  cpSync('locales', localesDir, { recursive: true });
  cpSync(`${FIXTURES}/locales`, localesDir, { recursive: true });
  return { flowsDir, localesDir, remove: () => rmSync(root, { recursive: true, force: true }) };
}
