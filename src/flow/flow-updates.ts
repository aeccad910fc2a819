import type { Config } from '../config.js';
import type { TextCatalog } from '../i18n/catalog.js';
import type { Logger } from '../logger.js';
import { FlowFilesWatch } from './flow-files-watch.js';
import { listFlowFiles } from './load.js';
import { PublishedFlowSync } from './published-flow-sync.js';
import type { FlowRegistry } from './registry.js';
import { prepareRelease, type FlowRelease } from './release.js';

export interface FlowUpdates {
  close(): Promise<void>;
}

export interface FlowUpdateDeps {
  readonly flows: FlowRegistry;
  readonly catalog: TextCatalog;
  readonly clock: () => Date;
  readonly logger: Logger;
}

/**
 * New flow versions while the server runs: with Redis, those published by `carevoice publish`
 * or by another server; without, edits to the files in FLOWS_DIR and LOCALES_DIR.
 */
export async function startFlowUpdates(
  config: Pick<Config, 'redisUrl' | 'redisPrefix' | 'flowsDir' | 'localesDir'>,
  deps: FlowUpdateDeps,
): Promise<FlowUpdates> {
  if (config.redisUrl === undefined) {
    const watch = new FlowFilesWatch({ ...config, ...deps });
    return { close: () => Promise.resolve(watch.close()) };
  }
  return PublishedFlowSync.start({
    redisUrl: config.redisUrl,
    prefix: config.redisPrefix,
    flows: deps.flows,
    catalog: deps.catalog,
    localesDir: config.localesDir,
    fileReleases: fileReleases(config, deps.catalog),
    logger: deps.logger,
  });
}

/** The releases of the flow files the server has just loaded (and so validated). */
function fileReleases(
  config: Pick<Config, 'flowsDir' | 'localesDir'>,
  catalog: TextCatalog,
): FlowRelease[] {
  return listFlowFiles(config.flowsDir).flatMap((file) => {
    const loaded = prepareRelease(file, { catalog, localesDir: config.localesDir });
    return loaded.ok ? [loaded.release] : [];
  });
}
