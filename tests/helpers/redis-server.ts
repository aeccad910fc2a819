import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import { beforeEach, inject, it, TestRunner } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Set by the global setup: REDIS_URL, or a redis-server it started; undefined without one. */
    redisUrl: string | undefined;
  }
}

export const REDIS_MISSING =
  'needs Redis: redis-server is not installed and REDIS_URL is unset (install redis-server, or set REDIS_URL)';

export interface RedisServer {
  readonly url: string;
  stop(): Promise<void>;
}

export interface RedisTestEnv {
  readonly url: string;
  /** A prefix no other test uses: tests touch only keys under it and never FLUSH. */
  readonly prefix: string;
}

/**
 * Starts a throwaway `redis-server` on a free port of 127.0.0.1 (never the shared 6379), with
 * no persistence unless asked, and resolves once it answers PING. Undefined when redis-server is not installed.
 */
export async function startRedisServer(
  options: { readonly port?: number; readonly persistIn?: string } = {},
): Promise<RedisServer | undefined> {
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    // With `persistIn`, an append-only file there lets a restarted server come back with its data.
    const persistence =
      options.persistIn === undefined
        ? ['--appendonly', 'no']
        : ['--appendonly', 'yes', '--appendfsync', 'always', '--dir', options.persistIn];
    const child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', ...persistence],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<'exited' | 'missing'>((resolve) => {
      child.once('exit', () => resolve('exited'));
      child.once('error', (error: NodeJS.ErrnoException) =>
        resolve(error.code === 'ENOENT' ? 'missing' : 'exited'),
      );
    });
    const outcome = await Promise.race([waitForPong(port, 10_000), exited]);
    if (outcome === 'missing') return undefined;
    if (outcome === 'ready') {
      return {
        url: `redis://127.0.0.1:${port}`,
        stop: async () => {
          if (child.exitCode !== null || child.signalCode !== null) return;
          const kill = setTimeout(() => child.kill('SIGKILL'), 5_000);
          child.kill('SIGTERM');
          await exited;
          clearTimeout(kill);
        },
      };
    }
    child.kill('SIGKILL');
    // Another process may have taken the port between our check and redis-server's bind.
    if (attempt === 3) throw new Error(`redis-server did not start on port ${port}: ${output}`);
  }
}

/** A port nothing listens on right now (the OS picks it, so never 6379 while that is in use). */
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

export function freshPrefix(): string {
  return `cvtest:${randomBytes(6).toString('hex')}:`;
}

/**
 * Call at the top of a `describe` that needs Redis. The returned function gives the URL and a
 * fresh prefix (call it in a hook or a test). Without Redis the block is reported as skipped,
 * with the reason as the name of a skipped test.
 */
export function redisTest(): () => RedisTestEnv {
  const url = inject('redisUrl');
  if (url === undefined) {
    // Skipping the suite keeps its beforeAll hooks (which would need Redis) from running.
    const suite = TestRunner.getCurrentSuite().suite;
    if (suite !== undefined) suite.mode = 'skip';
    beforeEach((context) => context.skip(REDIS_MISSING));
    it.skip(REDIS_MISSING, () => undefined);
  }
  return () => {
    if (url === undefined) throw new Error(REDIS_MISSING);
    return { url, prefix: freshPrefix() };
  };
}

/** Sends PING over a raw socket until it answers PONG, so this needs no Redis client. */
async function waitForPong(port: number, timeoutMs: number): Promise<'ready' | 'timeout'> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await answersPong(port)) return 'ready';
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return 'timeout';
}

function answersPong(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    let reply = '';
    const done = (ready: boolean): void => {
      socket.destroy();
      resolve(ready);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
  });
}
