import type { Config } from '../config.js';
import { loadCatalog, type TextCatalog } from '../i18n/catalog.js';
import { FlowValidationError } from './problems.js';
import { loadFlowDirectory, type FlowRegistry } from './registry.js';

/** Loads translations and every flow, refusing to go on if any of them is broken. */
export function loadContent(config: Pick<Config, 'flowsDir' | 'localesDir'>): {
  flows: FlowRegistry;
  catalog: TextCatalog;
} {
  const { catalog, problems: localeProblems } = loadCatalog(config.localesDir);
  const { registry, problems } = loadFlowDirectory(config.flowsDir, {
    catalog,
    localesDir: config.localesDir,
  });
  const all = [...localeProblems, ...problems];
  if (all.length > 0) throw new FlowValidationError(all);
  return { flows: registry, catalog };
}
