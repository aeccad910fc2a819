import type { Writable } from 'node:stream';
import type { Config } from '../config.js';
import { loadCatalog } from '../i18n/catalog.js';
import { listFlowFiles } from '../flow/load.js';
import { loadFlowFiles } from '../flow/load-files.js';
import { formatProblem } from '../flow/problems.js';

/** `carevoice validate`: every problem in every file, then a count; exit 1 if there is any. */
export function validate(
  files: readonly string[],
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  out: Writable,
  err: Writable,
): number {
  const { catalog, problems: localeProblems } = loadCatalog(config.localesDir);
  const targets = files.length > 0 ? files : listFlowFiles(config.flowsDir);
  const loaded = loadFlowFiles(targets, { catalog, localesDir: config.localesDir });
  const problems = [...localeProblems, ...loaded.problems];
  for (const flow of loaded.flows)
    out.write(
      `ok  ${flow.source}: ${flow.id} version ${flow.version} (${flow.languages.join(', ')}; ${Object.keys(flow.steps).length} steps)\n`,
    );
  problems.forEach((problem) => err.write(`${formatProblem(problem)}\n`));
  if (targets.length === 0) err.write(`no flow files in ${config.flowsDir}\n`);
  const good = loaded.flows.length;
  out.write(
    `${good} of ${targets.length} flow files valid, ${problems.length} problem${problems.length === 1 ? '' : 's'}\n`,
  );
  return problems.length === 0 && targets.length > 0 ? 0 : 1;
}
