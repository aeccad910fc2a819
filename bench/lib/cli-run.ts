import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

export interface CliRun {
  readonly exitCode: number | null;
  readonly wallMs: number;
  /** The kernel's high-water mark of the process's resident memory (`VmHWM`), in MiB. */
  readonly peakRssMiB: number;
  /** Lines the process wrote on standard output (LF counted), read as it wrote them. */
  readonly lines: number;
  /** Of those, the lines ended by CRLF (a CSV's records; a bare LF may sit inside a cell). */
  readonly crlfLines: number;
  /** Bytes on standard output. */
  readonly bytes: number;
  /** Its standard output, when `keepOutput` (small outputs only). */
  readonly output: string;
  readonly stderr: string;
}

export interface CliCommand {
  /** Compiled JavaScript, run with this `node` and no TypeScript loader (or a node option such as `-e`). */
  readonly script: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly keepOutput?: boolean;
  /** Called on each sample while the process runs (e.g. to watch a counter in Redis). */
  readonly onSample?: (elapsedMs: number) => void;
  readonly sampleEveryMs?: number;
}

/**
 * Runs one command to its end, as a person would from a shell, with its output read from a
 * pipe and counted rather than kept (an export of a million rows is hundreds of megabytes).
 * The peak RSS is the kernel's own `VmHWM`, read on every sample while the process lives:
 * unlike sampled `VmRSS` it misses no spike between samples, only the last few milliseconds.
 */
export function runCli(command: CliCommand): Promise<CliRun> {
  const { script, args, env, keepOutput = false, onSample, sampleEveryMs = 100 } = command;
  const started = performance.now();
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${script}`);
  let peakKiB = 0;
  let lines = 0;
  let crlfLines = 0;
  let bytes = 0;
  let lastByte = 0;
  const kept: Buffer[] = [];
  const errors: Buffer[] = [];
  const sample = (): void => {
    peakKiB = Math.max(peakKiB, highWaterKiB(pid));
    onSample?.(performance.now() - started);
  };
  const timer = setInterval(sample, sampleEveryMs);
  child.stdout.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) {
      lines++;
      if ((at === 0 ? lastByte : chunk[at - 1]) === 13) crlfLines++;
    }
    lastByte = chunk.at(-1) ?? lastByte;
    if (keepOutput) kept.push(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => errors.push(chunk));
  return new Promise((resolve, reject) => {
    child.once('error', (error) => {
      clearInterval(timer);
      reject(error);
    });
    child.once('close', (exitCode) => {
      clearInterval(timer);
      resolve({
        exitCode,
        wallMs: performance.now() - started,
        peakRssMiB: peakKiB / 1024,
        lines,
        crlfLines,
        bytes,
        output: Buffer.concat(kept).toString('utf8'),
        stderr: Buffer.concat(errors).toString('utf8'),
      });
    });
  });
}

/** 0 once the process has exited (its /proc entry is gone or holds no memory figures). */
function highWaterKiB(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** Throws with the command's own words when it did not succeed. */
export function expectSuccess(what: string, run: CliRun): CliRun {
  if (run.exitCode !== 0)
    throw new Error(`${what} exited with ${String(run.exitCode)}: ${run.stderr.slice(-2000)}`);
  return run;
}
