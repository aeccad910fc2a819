import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from './config.js';
import { createApp, DrainState } from './http/app.js';
import { createLogger, type Logger } from './logger.js';
import { createRuntime } from './runtime.js';

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:3000`; with PORT=0 it names the port actually bound. */
  readonly url: string;
  /** Drains and stops: readyz turns 503, in-flight requests finish (up to the grace period), the runtime closes. */
  close(): Promise<void>;
}

const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** After the grace period, how long closing the runtime may take before the process just exits. */
const RUNTIME_CLOSE_LIMIT_MS = 20_000;

/**
 * Starts carevoice's HTTP server. A bad environment or broken flow throws (`ConfigError`,
 * `FlowValidationError`) before anything listens; the CLI prints the message and exits 1.
 * SIGTERM or SIGINT shuts down gracefully and exits 0; a second signal exits at once.
 */
export async function serve(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<RunningServer> {
  const config = loadConfig(env);
  const logger = createLogger(config.logLevel);
  const runtime = await createRuntime(config, { logger, env });
  const drain = new DrainState();
  const server = createServer(createApp(runtime, drain));
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    // A keep-alive connection would otherwise hold shutdown open until its idle timeout.
    res.once('finish', () => {
      if (drain.draining) setImmediate(() => server.closeIdleConnections());
    });
  });

  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const url = baseUrl(server.address() as AddressInfo);
  logger.info({ url, ...(config.webChat ? { chat: `${url}/chat` } : {}) }, 'listening');

  let stopping: Promise<void> | undefined;
  const close = (): Promise<void> => {
    stopping ??= (async () => {
      drain.begin();
      await stopAccepting(server, config.shutdownGraceMs, logger);
      // Slack is answered before its work is done: let that work finish, within the grace.
      await Promise.race([
        drain.settled(),
        new Promise((resolve) => setTimeout(resolve, config.shutdownGraceMs).unref()),
      ]);
      await runtime.close();
      for (const signal of SHUTDOWN_SIGNALS) process.off(signal, onSignal);
      logger.info('stopped');
    })();
    return stopping;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping !== undefined) {
      logger.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    logger.info({ signal, graceMs: config.shutdownGraceMs }, 'shutting down');
    // Every part closes within its own bound; this is the backstop if one does not.
    setTimeout(() => {
      logger.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownGraceMs + RUNTIME_CLOSE_LIMIT_MS).unref();
    close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error(
          { stack: error instanceof Error ? error.stack : undefined },
          'shutdown failed',
        );
        process.exit(1);
      },
    );
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, onSignal);

  return { url, close };
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** A URL a person can open: a wildcard bind address is reached through localhost. */
function baseUrl(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard
    ? 'localhost'
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  return `http://${host}:${address.port}`;
}

/**
 * Stops taking connections and waits for requests in flight. Idle keep-alive connections are
 * closed at once; whatever still runs after the grace period is cut off.
 */
function stopAccepting(server: Server, graceMs: number, logger: Logger): Promise<void> {
  return new Promise((resolve) => {
    const deadline = setTimeout(() => {
      logger.warn({ graceMs }, 'grace period over: closing connections still open');
      server.closeAllConnections();
    }, graceMs);
    deadline.unref();
    server.close(() => {
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}
