import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process the bench started: stopped by its own id, never by name. */
export interface Started {
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Everything the bench starts is registered here and stopped in reverse order, on success,
 * on failure and on Ctrl-C alike.
 */
export class Cleanup {
  private readonly stops: (() => Promise<void>)[] = [];

  add(started: Started): Started {
    this.stops.push(() => started.stop());
    return started;
  }

  async run(): Promise<void> {
    for (const stop of this.stops.splice(0).reverse()) {
      await stop().catch((error: unknown) => {
        process.stderr.write(`bench: could not stop a process: ${String(error)}\n`);
      });
    }
  }
}

/** A port nothing listens on right now, chosen by the OS. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A redis-server of the bench's own: loopback only, no RDB, no AOF. */
export async function startRedis(): Promise<Started> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const started = wrap(child, `redis://127.0.0.1:${port}`);
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (error) =>
      reject(new Error(`redis-server did not start: ${error.message}`)),
    );
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${String(code)}`)));
  });
  await Promise.race([waitFor(() => answersPong(port), 10_000, 'redis-server'), failed]);
  return started;
}

export interface NodeServer {
  readonly script: string;
  readonly args?: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** Where its output goes. */
  readonly logFile: string;
}

/**
 * A Node server started from compiled JavaScript (so no loader thread counts in its RSS) on
 * 127.0.0.1:`port`, ready once `GET <url>/readyz` answers 200. `BENCH_SERVER_NODE_ARGS`
 * (space-separated) go to its `node`, e.g. `--cpu-prof --cpu-prof-dir=prof` to profile it.
 */
export async function startNodeServer(server: NodeServer, port: number): Promise<Started> {
  const { script, env, logFile } = server;
  const log = openSync(logFile, 'w');
  const nodeArgs = (process.env['BENCH_SERVER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, script, ...(server.args ?? [])], {
    env: {
      PATH: process.env['PATH'] ?? '',
      ...env,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  const url = `http://127.0.0.1:${port}`;
  const started = wrap(child, url);
  const exited = new Promise<never>((_, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${script} exited with ${String(code)}: ${tail(logFile)}`)),
    );
  });
  await Promise.race([waitFor(() => isReady(url), 60_000, script), exited]).catch(
    async (error: unknown) => {
      await started.stop();
      throw error;
    },
  );
  exited.catch(() => undefined);
  return started;
}

function wrap(child: ChildProcess, url: string): Started {
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${child.spawnfile}`);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    pid,
    url,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const kill = setTimeout(() => child.kill('SIGKILL'), 10_000);
      child.kill('SIGTERM');
      await exited;
      clearTimeout(kill);
    },
  };
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
  if (kib === undefined) throw new Error(`no VmRSS for process ${pid}`);
  return Number(kib) / 1024;
}

/** CPU time (user + system) a process has used so far, in ms, from /proc (Linux, 100 Hz ticks). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The peak of the summed RSS of some processes, sampled every `everyMs`. */
export function sampleRss(pids: readonly number[], everyMs = 250): { stop(): number } {
  let peak = 0;
  const sample = (): void => {
    peak = Math.max(
      peak,
      pids.reduce((sum, pid) => sum + rssMiB(pid), 0),
    );
  };
  sample();
  const timer = setInterval(sample, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      sample();
      return peak;
    },
  };
}

async function waitFor(
  ready: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await ready()) return;
    await sleep(50);
  }
  throw new Error(`${what} was not ready within ${timeoutMs} ms`);
}

async function isReady(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/readyz`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function answersPong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    const done = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => done(chunk.toString().startsWith('+PONG')));
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').slice(-2000);
  } catch {
    return '(no output)';
  }
}
