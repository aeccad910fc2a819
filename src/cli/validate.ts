import type { Writable } from 'node:stream';
import type { Config } from '../config.js';
import { loadCatalog } from '../i18n/catalog.js';
import { listFlowFiles, loadFlowFile } from '../flow/load.js';
import { formatProblem, type FlowProblem } from '../flow/problems.js';
import { FlowRegistry } from '../flow/registry.js';

/** `carevoice validate`: every problem in every file, then a count; exit 1 if there is any. */
export function validate(
  files: readonly string[],
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  out: Writable,
  err: Writable,
): number {
  const { catalog, problems: localeProblems } = loadCatalog(config.localesDir);
  const targets = files.length > 0 ? files : listFlowFiles(config.flowsDir);
  const problems: FlowProblem[] = [...localeProblems];
  const registry = new FlowRegistry();
  let good = 0;
  for (const file of targets) {
    const loaded = loadFlowFile(file, { catalog, localesDir: config.localesDir });
    if (!loaded.ok) {
      problems.push(...loaded.problems);
      continue;
    }
    const clashes = registry.publish(loaded.flow);
    problems.push(...clashes);
    if (clashes.length === 0) {
      good++;
      const { flow } = loaded;
      out.write(
        `ok  ${file}: ${flow.id} version ${flow.version} (${flow.languages.join(', ')}; ${Object.keys(flow.steps).length} steps)\n`,
      );
    }
  }
  problems.forEach((problem) => err.write(`${formatProblem(problem)}\n`));
  if (targets.length === 0) err.write(`no flow files in ${config.flowsDir}\n`);
  out.write(
    `${good} of ${targets.length} flow files valid, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`,
  );
  return problems.length === 0 && targets.length > 0 ? 0 : 1;
}
