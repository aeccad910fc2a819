import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadCatalog } from '../src/i18n/catalog.js';
import { loadFlowDirectory } from '../src/flow/registry.js';

describe('reading a folder of flow files', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the first file of a flow id, and names a later file with the same id among the other problems, in file order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'carevoice-flows-'));
    dirs.push(dir);
    copyFileSync('flows/day-centre-weekends.yaml', join(dir, 'a.yaml'));
    writeFileSync(join(dir, 'b.yaml'), 'id: [not a flow\n');
    copyFileSync('flows/day-centre-weekends.yaml', join(dir, 'c.yaml'));
    const { catalog } = loadCatalog('locales');

    const { registry, problems } = loadFlowDirectory(dir, { catalog, localesDir: 'locales' });

    expect(registry.list().map((flow) => flow.id)).toEqual(['day-centre-weekends']);
    expect(problems.map((problem) => problem.file)).toEqual([
      join(dir, 'b.yaml'),
      join(dir, 'c.yaml'),
    ]);
    expect(problems[1]).toEqual({
      file: join(dir, 'c.yaml'),
      path: 'id',
      message: `flow id 'day-centre-weekends' is also used by ${join(dir, 'a.yaml')}`,
      fix: 'give each flow its own id',
    });
  });
});
