import { afterAll, describe, expect, it } from 'vitest';
import { LiveFlows } from '../src/flow/live-flows.js';
import { formatProblem } from '../src/flow/problems.js';
import { FlowRegistry } from '../src/flow/registry.js';
import { loadRelease, prepareRelease, type FlowRelease } from '../src/flow/release.js';
import type { Flow } from '../src/flow/flow.js';
import { createCatalog, loadCatalog, type TextCatalog } from '../src/i18n/catalog.js';
import { createTranslate } from '../src/i18n/translate.js';
import { FLOW_ID, workspace, type Workspace } from './helpers/publish-workspace.js';

const spaces: Workspace[] = [];
afterAll(() => spaces.forEach((files) => files.remove()));

function prepared(fixture: 'v1' | 'v2'): { flow: Flow; release: FlowRelease; localesDir: string } {
  const files = workspace(fixture);
  spaces.push(files);
  const { catalog } = loadCatalog(files.localesDir);
  const loaded = prepareRelease(files.flowFile, { catalog, localesDir: files.localesDir });
  if (!loaded.ok) throw new Error(`fixture should load: ${JSON.stringify(loaded.problems)}`);
  return { ...loaded, localesDir: files.localesDir };
}

/** A process's content before anything is published: shared texts, no flows. */
function emptyContent(localesDir: string): { flows: FlowRegistry; catalog: TextCatalog } {
  const { catalog } = loadCatalog(localesDir);
  const shared = Object.fromEntries(
    Object.entries(catalog.resources).map(([language, namespaces]) => [
      language,
      Object.fromEntries(Object.entries(namespaces).filter(([ns]) => ns !== FLOW_ID)),
    ]),
  );
  return { flows: new FlowRegistry(), catalog: createCatalog(shared) };
}

const v1 = prepared('v1');
const v2 = prepared('v2');

describe('putting published versions in service', () => {
  it('keeps the version published last live, whatever order the versions arrive in', () => {
    for (const order of [
      [v1, v2],
      [v2, v1],
    ] as const) {
      const content = emptyContent(v1.localesDir);
      const live = new LiveFlows(content);
      const translate = createTranslate(content.catalog, () => 'en');
      const text = (key: string): string =>
        translate({
          namespace: FLOW_ID,
          key,
          language: 'en',
          variant: 'standard',
          role: undefined,
        });
      for (const { flow, release } of order)
        expect(live.put(flow, release.texts, flow === v1.flow ? 1_000 : 2_000)).toEqual([]);

      expect(content.flows.get(FLOW_ID)?.version).toBe(v2.flow.version);
      expect(content.flows.get(FLOW_ID, v1.flow.version)?.steps['parking']).toBeDefined();
      expect(content.flows.byKeyword('visit')?.flow.version).toBe(v2.flow.version);
      // The translator was built before any text arrived; it reads them all the same.
      expect(text('parking')).toBe('Could you park near the entrance?');
      expect(text('why')).toBe('What made you give that score?');
      expect(text('welcome')).toBe('Hello. Two short questions about your visit.');
    }
  });

  it('refuses a version that takes a keyword another live flow answers to, and changes nothing', () => {
    const content = emptyContent(v1.localesDir);
    const live = new LiveFlows(content);
    live.put(v1.flow, v1.release.texts, 1_000);
    const rival: Flow = { ...v2.flow, id: 'rival', source: 'rival.yaml' };
    expect(live.put(rival, { en: { title: 'Rival' } }, 2_000).map(formatProblem)).toEqual([
      "rival.yaml: keywords: keyword 'VISIT' already starts flow 'visit-feedback' (fix: choose a keyword no other flow uses)",
    ]);
    expect(content.flows.get('rival')).toBeUndefined();
    expect(content.catalog.resources['en']?.['rival']).toBeUndefined();
  });
});

describe('validating a published release in another process', () => {
  it('checks the release against its own texts, not a local file of the same name', () => {
    const { catalog } = loadCatalog(v1.localesDir);
    const withoutParking: FlowRelease = {
      ...v1.release,
      texts: { en: { ...v2.release.texts['en'] } },
    };
    const loaded = loadRelease(withoutParking, { catalog, localesDir: v1.localesDir });
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map(formatProblem)).toEqual([
      expect.stringMatching(
        /^visit-feedback\.yaml:\d+:\d+: steps\.parking: text 'parking' is missing/,
      ),
    ]);
  });

  it('refuses a release whose definition reads as another version here', () => {
    const { catalog } = loadCatalog(v1.localesDir);
    const loaded = loadRelease(
      { ...v1.release, version: v2.release.version },
      { catalog, localesDir: v1.localesDir },
    );
    expect(loaded.ok).toBe(false);
    if (loaded.ok) return;
    expect(loaded.problems.map(formatProblem)).toEqual([
      `visit-feedback.yaml: published as visit-feedback version ${v2.release.version} but reads as visit-feedback version ${v1.release.version} here (fix: run the same carevoice release on every server and for carevoice publish)`,
    ]);
  });
});
