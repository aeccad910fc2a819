import { appendFile, lstat, mkdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logger.js';
import type { Delivery, DeliveryOutcome, PartnerTarget } from './delivery.js';

export type FileTarget = Extract<PartnerTarget, { kind: 'file' }>;
export type FileSink = (target: FileTarget, delivery: Delivery) => Promise<DeliveryOutcome>;

export interface FileSinkOptions {
  /** The folder partner files live in; a flow's `file:` path is taken inside it. */
  readonly directory: string;
  readonly logger: Logger;
}

/**
 * For partners who take files: each delivery is one JSON line (the body exactly as a webhook
 * would carry it) appended to the partner's JSONL file. A retry can append a line twice, so
 * readers drop repeats by `data.id` and `type`. A path that would leave the folder (`..`, an
 * absolute path, a symbolic link pointing out) is refused: flow files must not choose where
 * the server writes.
 */
export function createFileSink(options: FileSinkOptions): FileSink {
  const root = path.resolve(options.directory);
  const { logger } = options;

  return async (target, delivery) => {
    const log = { partner: delivery.partnerId, delivery: delivery.id };
    const file = insideFolder(root, target.path);
    if (file === undefined) {
      logger.warn({ ...log, code: 'partner_path_refused' }, 'partner file path leaves its folder');
      return { result: 'retry', reason: 'path_refused' };
    }
    try {
      await mkdir(path.dirname(file), { recursive: true });
      const [realRoot, realFolder] = await Promise.all([
        realpath(root),
        realpath(path.dirname(file)),
      ]);
      const link = await lstat(file).then(
        (stats) => stats.isSymbolicLink(),
        () => false,
      );
      if (
        link ||
        insideFolder(realRoot, path.join(realFolder, path.basename(file))) === undefined
      ) {
        logger.warn(
          { ...log, code: 'partner_path_refused' },
          'partner file path leaves its folder',
        );
        return { result: 'retry', reason: 'path_refused' };
      }
      await appendFile(file, `${delivery.body}\n`, 'utf8');
      return { result: 'delivered' };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
      logger.error(
        { ...log, code: 'partner_file_write_failed', cause: code },
        'partner file not written',
      );
      return { result: 'retry', reason: 'file_write_failed' };
    }
  };
}

/** The absolute path of `relative` when it stays strictly inside `root`, else `undefined`. */
function insideFolder(root: string, relative: string): string | undefined {
  const resolved = path.resolve(root, relative);
  const within = path.relative(root, resolved);
  const leaves = within === '..' || within.startsWith(`..${path.sep}`) || path.isAbsolute(within);
  if (within === '' || leaves) return undefined;
  return resolved;
}
