import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface Build {
  /** `carevoice` as `npm start` runs it: compiled JavaScript, no TypeScript loader. */
  readonly carevoice: string;
  readonly bareExpress: string;
  /** The bare XRANGE loop an export is measured against (bench/servers/export-floor.ts). */
  readonly exportFloor: string;
  /** Compiler output, when it complained (the bench goes on with what was emitted). */
  readonly warnings: string;
  remove(): void;
}

/**
 * Compiles src/ and the bench's servers into a scratch folder, so the servers run as they
 * would in production and their RSS holds no loader. Packages resolve through a link to this
 * checkout's node_modules; flows and locales are read from the working directory.
 */
export function buildServers(): Build {
  const dir = mkdtempSync(join(tmpdir(), 'carevoice-bench-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    symlinkSync(resolve('node_modules'), join(dir, 'node_modules'), 'dir');
    const tsc = spawnSync(
      process.execPath,
      ['node_modules/typescript/bin/tsc', '-p', 'bench/tsconfig.build.json', '--outDir', dir],
      { encoding: 'utf8' },
    );
    const build = {
      carevoice: join(dir, 'src/cli/main.js'),
      bareExpress: join(dir, 'bench/servers/bare-express.js'),
      exportFloor: join(dir, 'bench/servers/export-floor.js'),
      warnings: tsc.status === 0 ? '' : `${tsc.stdout}${tsc.stderr}`.trim(),
      remove,
    };
    if (
      ![build.carevoice, build.bareExpress, build.exportFloor].every((file) => existsSync(file))
    ) {
      throw new Error(`the servers did not compile:\n${build.warnings}`);
    }
    return build;
  } catch (error) {
    remove();
    throw error;
  }
}
