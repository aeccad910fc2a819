import { existsSync, readdirSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, join } from 'node:path';
import { loadCatalog, type TextCatalog } from '../i18n/catalog.js';
import type { Logger } from '../logger.js';
import { LiveFlows } from './live-flows.js';
import { readFlowFolder } from './flow-folder.js';
import { formatProblem, type FlowProblem } from './problems.js';
import type { FlowRegistry } from './registry.js';
import { prepareRelease } from './release.js';

export interface FlowFilesWatchOptions {
  readonly flowsDir: string;
  readonly localesDir: string;
  readonly flows: FlowRegistry;
  readonly catalog: TextCatalog;
  readonly clock: () => Date;
  readonly logger: Logger;
  /** Quiet time after the last change before files are read: editors write in several steps. */
  readonly debounceMs?: number;
}

const DEFAULT_DEBOUNCE_MS = 250;

/**
 * Embedded mode's way to publish: watches FLOWS_DIR and each language folder of LOCALES_DIR,
 * and when they have been quiet for a moment reads every flow file again. A file that
 * validates (both stages) and differs from what is in service goes live; a broken one is
 * logged with its problems and the version in service stays. Removing a file withdraws
 * nothing: conversations on it may still be under way.
 */
export class FlowFilesWatch {
  private readonly live: LiveFlows;
  private readonly watchers = new Map<string, FSWatcher>();
  /** Flow id → digest of the release in service, so an unchanged file is not put again. */
  private readonly inService = new Map<string, string>();
  /** File → the problems last logged for it, so a broken file is reported once per edit. */
  private readonly reported = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: FlowFilesWatchOptions) {
    this.live = new LiveFlows(options);
    // What the server loaded at start is in service already.
    for (const { release } of this.readFiles().ready)
      this.inService.set(release.id, release.digest);
    this.watchFolders();
  }

  close(): void {
    clearTimeout(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
    this.watchers.clear();
  }

  private watchFolders(): void {
    const { flowsDir, localesDir } = this.options;
    const languageDirs = existsSync(localesDir)
      ? readdirSync(localesDir)
          .map((name) => join(localesDir, name))
          .filter((path) => statSync(path).isDirectory())
      : [];
    for (const dir of [flowsDir, localesDir, ...languageDirs]) {
      if (this.watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, () => this.changed());
        watcher.on('error', (error) =>
          this.options.logger.warn({ dir: basename(dir), err: error.message }, 'flow watch failed'),
        );
        watcher.unref();
        this.watchers.set(dir, watcher);
      } catch (error) {
        this.options.logger.warn(
          { dir: basename(dir), err: (error as Error).message },
          'cannot watch folder; changes there need a restart',
        );
      }
    }
  }

  private changed(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.reload(), this.options.debounceMs ?? DEFAULT_DEBOUNCE_MS);
    this.timer.unref();
  }

  private reload(): void {
    const { logger } = this.options;
    try {
      // A new language folder is watched from now on.
      this.watchFolders();
      const { ready, problems } = this.readFiles();
      this.report(problems);
      const publishedAt = this.options.clock().getTime();
      for (const { flow, release } of ready) {
        if (this.inService.get(flow.id) === release.digest) continue;
        const previous = this.options.flows.get(flow.id)?.version;
        const refused = this.live.put(flow, release.texts, publishedAt);
        if (refused.length > 0) {
          this.report(refused);
          continue;
        }
        this.inService.set(flow.id, release.digest);
        logger.info(
          { flowId: flow.id, version: flow.version, previous, file: release.file },
          'flow version live',
        );
      }
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'flow files not read again');
    }
  }

  /** Every flow file, validated against the locale files as they are now. */
  private readFiles(): {
    ready: Extract<ReturnType<typeof prepareRelease>, { ok: true }>[];
    problems: FlowProblem[];
  } {
    const { flowsDir, localesDir } = this.options;
    const { catalog, problems } = loadCatalog(localesDir);
    const ready: Extract<ReturnType<typeof prepareRelease>, { ok: true }>[] = [];
    const folderProblems = readFlowFolder(
      flowsDir,
      (file) => prepareRelease(file, { catalog, localesDir }),
      (loaded, file) => {
        ready.push(loaded);
        // A file that reads cleanly again may be reported anew when it next breaks.
        this.reported.delete(file);
        return [];
      },
    );
    problems.push(...folderProblems);
    return { ready, problems };
  }

  private report(problems: readonly FlowProblem[]): void {
    const byFile = new Map<string, FlowProblem[]>();
    for (const problem of problems)
      byFile.set(problem.file, [...(byFile.get(problem.file) ?? []), problem]);
    for (const [file, found] of byFile) {
      const lines = found.map(formatProblem);
      if (this.reported.get(file) === lines.join('\n')) continue;
      this.reported.set(file, lines.join('\n'));
      this.options.logger.warn(
        { code: 'flow_file_refused', file: basename(file), problems: lines },
        'flow file refused; the version in service stays',
      );
    }
  }
}
