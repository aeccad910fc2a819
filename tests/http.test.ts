import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';
import { ConversationService } from '../src/conversation/service.js';
import type { Session } from '../src/engine/types.js';
import { createApp, DrainState } from '../src/http/app.js';
import { createLogger } from '../src/logger.js';
import { createRuntime, type Runtime } from '../src/runtime.js';
import { serve } from '../src/server.js';
import { SessionTimers } from '../src/conversation/session-timers.js';
import { MemoryJobQueue } from '../src/jobs/memory-job-queue.js';
import { MemoryParticipantQueue } from '../src/store/memory-participant-queue.js';
import { MemorySessionStore } from '../src/store/memory-session-store.js';
import type { OpenedSession, ParticipantKey, SessionStore } from '../src/store/session-store.js';

const TEST_ENV = { NODE_ENV: 'test', PORT: '0', LOG_LEVEL: 'silent' } as const;
const FLOW = 'day-centre-weekends';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((stop) => stop()));
});

/** Log lines as pino writes them, so tests can read what would reach the log store. */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; text: () => string } {
  const lines: string[] = [];
  return {
    logger: createLogger('debug', { write: (line: string) => void lines.push(line) }),
    text: () => lines.join(''),
  };
}

async function testRuntime(
  env: Record<string, string> = {},
  logger = createLogger('silent'),
): Promise<Runtime> {
  const runtime = await createRuntime(loadConfig({ ...TEST_ENV, ...env }), { logger });
  stops.push(() => runtime.close());
  return runtime;
}

/** The same runtime with its conversations kept in another store, e.g. one that fails. */
async function withStore(runtime: Promise<Runtime>, store: SessionStore): Promise<Runtime> {
  const base = await runtime;
  const jobs = new MemoryJobQueue({ onFailure: () => undefined });
  stops.push(() => jobs.close());
  const conversations = new ConversationService({
    flows: base.flows,
    store,
    queue: new MemoryParticipantQueue(),
    timers: new SessionTimers({
      jobs,
      senders: {},
      refOf: (key) => key.address,
      clock: base.clock,
    }),
    senders: {},
    translate: base.translate,
    clock: base.clock,
    logger: base.logger,
    refOf: base.refOf,
  });
  return { ...base, store, conversations };
}

async function listen(app: Express): Promise<string> {
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stops.push(() => new Promise((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startApp(
  runtime: Runtime | Promise<Runtime> = testRuntime(),
  drain?: DrainState,
): Promise<string> {
  return listen(createApp(await runtime, drain));
}

function postJson(url: string, body: unknown): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

interface ReplyBody {
  type: string;
  text: string;
  sms: string;
  stepId?: string;
  ask?: string;
  multiple?: boolean;
  options?: { key: string; label: string }[];
}
interface TurnBody {
  conversationId?: string;
  status: string;
  replies: ReplyBody[];
}

async function turn(response: Response, status = 200): Promise<TurnBody> {
  expect(response.status).toBe(status);
  return (await response.json()) as TurnBody;
}

describe('health probes', () => {
  it('says the process is up, without framework fingerprints', async () => {
    const response = await fetch(`${await startApp()}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('etag')).toBeNull();
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
  });

  it('is ready until draining begins, then 503', async () => {
    const drain = new DrainState();
    const url = await startApp(testRuntime(), drain);
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    drain.begin();
    const draining = await fetch(`${url}/readyz`);
    expect(draining.status).toBe(503);
    expect(await draining.json()).toEqual({ status: 'draining' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });

  it('is not ready while the runtime is not', async () => {
    const url = await startApp({ ...(await testRuntime()), ready: async () => false });
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  });
});

describe('routing', () => {
  it('answers unknown routes with a JSON 404', async () => {
    const response = await fetch(`${await startApp()}/no/such/page`);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { code: 'not_found', message: 'no such route' },
    });
  });

  it('sends / to the web chat, which serves its page, script and styles', async () => {
    const url = await startApp();
    const root = await fetch(`${url}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/chat');
    const page = await fetch(`${url}/chat`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('<script type="module" src="/chat/app.js">');
    expect(html).not.toMatch(/<script>|style=/);
    expect((await fetch(`${url}/chat/app.js`)).headers.get('content-type')).toMatch(
      /^text\/javascript/,
    );
    expect((await fetch(`${url}/chat/app.css`)).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('serves no web chat when it is switched off', async () => {
    const url = await startApp(testRuntime({ WEB_CHAT: 'off' }));
    expect((await fetch(`${url}/chat`)).status).toBe(404);
    expect((await fetch(`${url}/`, { redirect: 'manual' })).status).toBe(404);
    expect((await postJson(`${url}/chat/api/conversations`, { flowId: FLOW })).status).toBe(404);
  });
});

describe('web chat API', () => {
  it('lists flows with their languages, easy-read wording and titles', async () => {
    const response = await fetch(`${await startApp()}/chat/api/flows`);
    const { flows } = (await response.json()) as {
      flows: { id: string; languages: unknown; plain: boolean; titles: Record<string, string> }[];
    };
    const welshTitle = (
      JSON.parse(readFileSync(`locales/cy/${FLOW}.json`, 'utf8')) as { title: string }
    ).title;
    expect(flows.find((flow) => flow.id === FLOW)).toMatchObject({
      languages: [
        { code: 'en', name: 'English' },
        { code: 'cy', name: 'Cymraeg' },
        { code: 'pl', name: 'Polski' },
      ],
      plain: true,
      titles: { en: 'Day centre at weekends', cy: welshTitle },
    });
  });

  it('walks the day-centre flow by choices and typed text', async () => {
    const url = await startApp();
    const started = await turn(
      await postJson(`${url}/chat/api/conversations`, { flowId: FLOW, language: 'en' }),
      201,
    );
    expect(started.status).toBe('active');
    expect(started.replies.map((reply) => reply.type)).toEqual(['message', 'question']);
    const role = started.replies[1];
    expect(role).toMatchObject({ stepId: 'role', ask: 'choice', multiple: false });
    expect(role?.sms).toContain('\n1. I go to the day centre\n2. ');

    const say = async (body: unknown): Promise<TurnBody> =>
      turn(
        await postJson(
          `${url}/chat/api/conversations/${started.conversationId ?? ''}/messages`,
          body,
        ),
      );
    const story = await say({ choice: { stepId: 'role', values: ['carer'] } });
    expect(story.replies[0]).toMatchObject({ stepId: 'story', ask: 'open' });
    expect(story.replies[0]?.text).toContain('as a carer');
    const followUp = await say({ text: 'The staff are lovely but Saturdays are hard.' });
    expect(followUp.replies[0]).toMatchObject({ type: 'message' });
    expect((await say({ text: 'no' })).replies.at(-1)).toMatchObject({
      stepId: 'visits',
      ask: 'number',
    });
    expect((await say({ text: '3' })).replies.at(-1)).toMatchObject({
      stepId: 'weekends',
      ask: 'yes_no',
    });
    const hours = await say({ choice: { stepId: 'weekends', values: ['yes'] } });
    expect(hours.replies.at(-1)).toMatchObject({ stepId: 'hours', multiple: true });
    const rating = await say({ choice: { stepId: 'hours', values: ['morning', 'evening'] } });
    expect(rating.replies.at(-1)?.options?.map((option) => option.key)).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    const thanks = await say({ text: '4' });
    expect(thanks.status).toBe('completed');
    expect(thanks.replies.at(-1)?.text).toContain('all you do as a carer');
    // After the end, a message changes nothing and says nothing.
    expect(await say({ text: 'hello again' })).toEqual({
      status: 'completed',
      replies: [],
      duplicate: false,
    });
  });

  it('answers a conversation it does not know with status none', async () => {
    const url = await startApp();
    expect(
      await turn(
        await postJson(`${url}/chat/api/conversations/${randomUUID()}/messages`, { text: 'hello' }),
      ),
    ).toEqual({ status: 'none', replies: [], duplicate: false });
  });

  const someId = randomUUID();
  it.each([
    ['no flowId', '/chat/api/conversations', JSON.stringify({ language: 'en' }), 'invalid_input'],
    [
      'an unknown variant',
      '/chat/api/conversations',
      JSON.stringify({ flowId: FLOW, variant: 'fancy' }),
      'invalid_input',
    ],
    [
      'a language the flow lacks',
      '/chat/api/conversations',
      JSON.stringify({ flowId: FLOW, language: 'fr' }),
      'invalid_input',
    ],
    [
      'text over 2000 characters',
      `/chat/api/conversations/${someId}/messages`,
      JSON.stringify({ text: 'a'.repeat(2001) }),
      'invalid_input',
    ],
    [
      'a choice without values',
      `/chat/api/conversations/${someId}/messages`,
      JSON.stringify({ choice: { stepId: 'role', values: [] } }),
      'invalid_input',
    ],
    [
      'text and a choice at once',
      `/chat/api/conversations/${someId}/messages`,
      JSON.stringify({ text: 'x', choice: { stepId: 'role', values: ['carer'] } }),
      'invalid_input',
    ],
    [
      'an id that is not a uuid',
      '/chat/api/conversations/42/messages',
      JSON.stringify({ text: 'hello' }),
      'invalid_input',
    ],
    [
      'a body that is not JSON',
      '/chat/api/conversations',
      '{"flowId": "day-centre',
      'invalid_json',
    ],
  ])('refuses %s with 400', async (_case, path, body, code) => {
    const response = await fetch(`${await startApp()}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string } };
    expect(error.code).toBe(code);
    expect(error.message).not.toBe('');
  });

  it('answers an unknown flow with 404 flow_not_found', async () => {
    const response = await postJson(`${await startApp()}/chat/api/conversations`, {
      flowId: 'no-such-flow',
    });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'flow_not_found',
    );
  });

  it('refuses a body over 64 kB with 413', async () => {
    const response = await postJson(`${await startApp()}/chat/api/conversations`, {
      flowId: FLOW,
      padding: 'x'.repeat(70_000),
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'body_too_large',
    );
  });

  it('answers 409 when another process changed the session first', async () => {
    const url = await startApp(withStore(testRuntime(), new RacedSessionStore()));
    const started = await turn(
      await postJson(`${url}/chat/api/conversations`, { flowId: FLOW }),
      201,
    );
    const response = await postJson(
      `${url}/chat/api/conversations/${started.conversationId ?? ''}/messages`,
      { choice: { stepId: 'role', values: ['carer'] } },
    );
    expect(response.status).toBe(409);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe(
      'session_conflict',
    );
  });

  it('answers 500 when the store fails, and logs the stack but not the person', async () => {
    const log = capturedLogger();
    const url = await startApp(withStore(testRuntime({}, log.logger), new BrokenSessionStore()));
    const response = await postJson(`${url}/chat/api/conversations`, { flowId: FLOW });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({
      error: {
        code: 'internal_error',
        message: 'something went wrong on our side; please try again',
      },
    });
    expect(log.text()).toContain('"msg":"request failed"');
    expect(log.text()).toContain('store broke');
  });

  it('never logs message text, bodies, query strings or conversation ids', async () => {
    const log = capturedLogger();
    const url = await startApp(testRuntime({}, log.logger));
    const started = await turn(
      await postJson(`${url}/chat/api/conversations?phone=07700900111`, { flowId: FLOW }),
      201,
    );
    const messages = `${url}/chat/api/conversations/${started.conversationId ?? ''}/messages`;
    await turn(await postJson(messages, { choice: { stepId: 'role', values: ['service_user'] } }));
    await turn(
      await postJson(messages, {
        text: 'My neighbour Ann Jones on 07700 900123 takes me on Tuesdays',
      }),
    );
    await fetch(messages, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"text": "call 07700 900456',
    });
    await postJson(messages, { text: `private ${'y'.repeat(2001)}` });

    const written = log.text();
    expect(written).toContain('"route":"/chat/api/conversations/:id/messages"');
    expect(written).toContain('"code":"invalid_json"');
    for (const secret of [
      'Ann Jones',
      '07700',
      'neighbour',
      'private',
      started.conversationId ?? '?',
      'phone=',
    ]) {
      expect(written).not.toContain(secret);
    }
  });
});

describe('configuration errors', () => {
  it.each([
    ['PORT', { PORT: 'abc' }],
    ['REDIS_URL', { REDIS_URL: 'http://x' }],
    ['REDIS_URL', { NODE_ENV: 'production' }],
  ])('names %s when it is wrong: %o', (variable, env) => {
    let thrown: unknown;
    try {
      loadConfig({ ...TEST_ENV, ...env });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).code).toBe('config_invalid');
    expect(
      (thrown as ConfigError).problems.some((problem) => problem.startsWith(`${variable}:`)),
    ).toBe(true);
  });
});

describe('serve', () => {
  it('listens on a free port and closes, letting a request in flight finish', async () => {
    const server = await serve({ ...TEST_ENV, HOST: '127.0.0.1' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

    // A request the server has read the headers of (it said 100 Continue) is in flight when shutdown begins.
    const body = JSON.stringify({ flowId: FLOW });
    const inFlight = httpRequest(new URL('/chat/api/conversations', server.url), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        expect: '100-continue',
      },
    });
    const answered = new Promise<IncomingMessage>((resolve, reject) =>
      inFlight.on('response', resolve).on('error', reject),
    );
    const continued = new Promise<void>((resolve) => inFlight.on('continue', () => resolve()));
    inFlight.flushHeaders();
    await continued;
    const closed = server.close();
    inFlight.end(body);
    expect((await answered).statusCode).toBe(201);
    await closed;
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('exits 0 after SIGTERM, once it has drained', async () => {
    const script = `import { serve } from './src/server.ts'; await serve();`;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env: { ...process.env, NODE_ENV: 'test', PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const listening = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', () => output.includes('"msg":"listening"') && resolve());
      void exited.then((code) =>
        reject(new Error(`server exited with ${String(code)} before listening:\n${output}`)),
      );
    });
    await listening;
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
  });
});

/** Another process answers first: between our load and our commit, the stored revision moves on. */
class RacedSessionStore extends MemorySessionStore {
  constructor() {
    super(() => new Date());
  }

  override async open(key: ParticipantKey, messageId: string | undefined): Promise<OpenedSession> {
    const opened = await super.open(key, messageId);
    const { session } = opened;
    if (session !== undefined) {
      const moved = { ...session, revision: session.revision + 1 };
      await super.commit(key, {
        session: moved,
        expectedRevision: session.revision,
        ttlMs: 60_000,
      });
    }
    return opened;
  }
}

/** A store that fails in a way nobody planned for: a bug, not an outage. */
class BrokenSessionStore extends MemorySessionStore {
  constructor() {
    super(() => new Date());
  }

  override async load(): Promise<Session | undefined> {
    throw new Error('store broke');
  }

  override async open(): Promise<OpenedSession> {
    throw new Error('store broke');
  }
}
