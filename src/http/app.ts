import express from 'express';
import { z } from 'zod';
import type { Logger } from '../logger.js';
import type { Runtime } from '../runtime.js';
import { createSlackChannel } from '../channels/slack/router.js';
import { createTwilioInboundRouter } from '../channels/twilio/inbound-route.js';
import { createMetricsRouter } from '../channels/twilio/metrics.js';
import { createAdminRouter } from './admin.js';
import { renderDeliveryMetrics } from '../partners/delivery-metrics.js';
import { createTwilioStatusRouter } from '../channels/twilio/status-route.js';
import { createWebChatRouter } from './webchat/router.js';
import { requestLineNotes } from './request-line.js';

/**
 * Set once shutdown begins, so /readyz tells the load balancer to send no new traffic while
 * requests already in flight finish.
 */
export class DrainState {
  #draining = false;
  readonly #waits: (() => Promise<void>)[] = [];

  get draining(): boolean {
    return this.#draining;
  }

  begin(): void {
    this.#draining = true;
  }

  /** Work that outlives its request (Slack's, after the ack) and that shutdown waits for. */
  onDrain(wait: () => Promise<void>): void {
    this.#waits.push(wait);
  }

  /** Resolves when every registered wait has; call after the server stops accepting. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#waits.map((wait) => wait()));
  }
}

/** Only this server's own files: the web chat has no inline script or style. */
const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Probes arrive every few seconds; at info level they would bury everything else. */
const PROBE_ROUTES = new Set(['/healthz', '/readyz']);

/**
 * Refusals by error code: the caller's fault (4xx), or a passing fault of ours that a retry
 * fixes (503, so providers redeliver). Anything not listed is ours: 500.
 */
const CLIENT_ERRORS: Readonly<
  Record<string, { readonly status: number; readonly message?: string }>
> = {
  invalid_input: { status: 400 },
  invalid_json: { status: 400, message: 'the request body is not valid JSON' },
  request_aborted: { status: 400, message: 'the request was cut short' },
  bad_request: { status: 400, message: 'the request could not be read' },
  flow_not_found: { status: 404 },
  session_conflict: { status: 409 },
  store_unavailable: { status: 503, message: 'conversation storage is unavailable; retry shortly' },
  participant_busy: {
    status: 503,
    message: 'an earlier message from this person is still being handled; retry shortly',
  },
  body_too_large: { status: 413, message: 'the request body is larger than 64 kB' },
  unsupported_encoding: { status: 415, message: 'send the body as uncompressed UTF-8 JSON' },
};

/** body-parser marks its errors with `type`; these are the codes we answer them with. */
const CODE_BY_BODY_PARSER_TYPE: Readonly<Record<string, string>> = {
  'entity.parse.failed': 'invalid_json',
  'entity.verify.failed': 'invalid_json',
  'entity.too.large': 'body_too_large',
  'request.aborted': 'request_aborted',
  'request.size.invalid': 'bad_request',
  'charset.unsupported': 'unsupported_encoding',
  'encoding.unsupported': 'unsupported_encoding',
};

const codedError = z.object({ code: z.string(), message: z.string() });
const bodyParserError = z.object({ type: z.string() });
const clientHttpError = z.object({ status: z.number().int().min(400).max(499) });

interface Failure {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** Sorts an error by who is at fault. Messages of body parser errors are never passed on: they quote the body. */
function describeFailure(error: unknown): Failure {
  const parserType = bodyParserError.safeParse(error);
  const parserCode = parserType.success
    ? CODE_BY_BODY_PARSER_TYPE[parserType.data.type]
    : undefined;
  const coded = codedError.safeParse(error);
  const code = parserCode ?? (coded.success ? coded.data.code : undefined);
  const known = code === undefined ? undefined : CLIENT_ERRORS[code];
  if (code !== undefined && known !== undefined) {
    const message =
      known.message ?? (coded.success ? coded.data.message : 'the request was refused');
    return { status: known.status, code, message };
  }
  const clientHttp = clientHttpError.safeParse(error);
  if (clientHttp.success)
    return {
      status: clientHttp.data.status,
      code: 'bad_request',
      message: 'the request could not be read',
    };
  return {
    status: 500,
    code: code ?? 'internal_error',
    message: 'something went wrong on our side; please try again',
  };
}

/** The route pattern (`/chat/api/conversations/:id/messages`), never the URL someone sent. */
function routeOf(req: express.Request): string {
  // Read on every request, so a plain check rather than a schema.
  const route: unknown = req.route;
  const path: unknown =
    typeof route === 'object' && route !== null && 'path' in route ? route.path : undefined;
  return typeof path === 'string' ? path : '(unmatched)';
}

/**
 * One line per request: method, route pattern, status and duration, and what the route noted
 * (e.g. the conversation's flow, status and events for an inbound message). Never bodies,
 * query strings or addresses: they can hold phone numbers and what people told us.
 */
function logRequests(logger: Logger): express.RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('close', () => {
      const route = routeOf(req);
      const durationMs = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
      const line = {
        // First, so that a route's note never overrides the request's own fields.
        ...requestLineNotes(res),
        method: req.method,
        route,
        status: res.statusCode,
        durationMs,
        ...(res.writableFinished ? {} : { aborted: true }),
      };
      if (PROBE_ROUTES.has(route)) logger.debug(line, 'request');
      else logger.info(line, 'request');
    });
    next();
  };
}

function handleErrors(logger: Logger): express.ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    const failure = describeFailure(error);
    if (failure.status >= 500) {
      const stack = error instanceof Error ? error.stack : undefined;
      logger.error({ code: failure.code, route: routeOf(req), stack }, 'request failed');
    } else {
      logger.warn(
        { code: failure.code, route: routeOf(req), status: failure.status },
        'request refused',
      );
    }
    res.status(failure.status).json({ error: { code: failure.code, message: failure.message } });
  };
}

/**
 * The HTTP shell: health probes, the web chat when enabled, JSON errors. It never listens;
 * `serve()` does, and tests bind it to a free port. `drain` lets the server mark shutdown.
 */
export function createApp(runtime: Runtime, drain: DrainState = new DrainState()): express.Express {
  const { logger } = runtime;
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');

  app.use(logRequests(logger));
  app.use((_req, res, next) => {
    res.set(SECURITY_HEADERS);
    // While draining, keep-alive would hold connections (and so shutdown) open.
    if (drain.draining) res.set('Connection', 'close');
    next();
  });

  app.get('/healthz', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    res.set('Cache-Control', 'no-store');
    if (drain.draining) {
      res.status(503).json({ status: 'draining' });
      return;
    }
    // A store that cannot answer is as good as not ready; the probe must not throw.
    const ready = await runtime.ready().catch(() => false);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready' });
  });

  app.use(
    createMetricsRouter(runtime.statusLog, [() => renderDeliveryMetrics(runtime.deliveries.state)]),
  );
  if (runtime.config.adminToken !== undefined) {
    app.use(
      createAdminRouter({
        token: runtime.config.adminToken,
        statusLog: runtime.statusLog,
        flows: runtime.flows,
        responses: runtime.responses,
        deliveries: runtime.deliveries.held,
        privacy: runtime.privacy,
        logger,
      }),
    );
  }
  const { twilio } = runtime.config;
  if (twilio !== undefined) {
    app.use(
      createTwilioInboundRouter({
        config: twilio,
        conversations: runtime.conversations,
        flows: runtime.flows,
        limiter: runtime.limiter,
        translate: runtime.translate,
        refOf: runtime.refOf,
        floodLimitPerMinute: runtime.config.smsFloodLimitPerMinute,
        outboundLimitPerHour: runtime.config.smsOutboundLimitPerHour,
        logger,
      }),
    );
    app.use(
      createTwilioStatusRouter({
        config: twilio,
        statusLog: runtime.statusLog,
        onOptedOut: (key) => runtime.store.setOptedOut(key, true),
        logger,
      }),
    );
  }

  const slackConfig = runtime.config.slack;
  if (slackConfig !== undefined && runtime.slack !== undefined) {
    // No global body parser may run before this: Bolt verifies the raw body.
    const slack = createSlackChannel({
      config: slackConfig,
      client: runtime.slack.client,
      conversations: runtime.conversations,
      flows: runtime.flows,
      store: runtime.store,
      limiter: runtime.limiter,
      translate: runtime.translate,
      refOf: runtime.refOf,
      clock: runtime.clock,
      logger,
      alerts: runtime.slack.alerts,
    });
    app.use(slack.router);
    drain.onDrain(() => slack.idle());
  }

  if (runtime.config.webChat) {
    app.get('/', (_req, res) => {
      res.redirect(302, '/chat');
    });
    app.use(createWebChatRouter(runtime));
  }

  app.use((_req, res) => {
    res.status(404).json({ error: { code: 'not_found', message: 'no such route' } });
  });
  app.use(handleErrors(logger));
  return app;
}
