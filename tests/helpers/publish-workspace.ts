import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { post } from './http.js';
import type { ServerProcess } from './server-process.js';

/** The publish fixtures: `v1`, `v2` (a step removed) and `broken`. */
export const PUBLISH_FIXTURES = 'tests/fixtures/publish';
export const FLOW_ID = 'visit-feedback';

export interface Workspace {
  readonly flowsDir: string;
  readonly localesDir: string;
  readonly flowFile: string;
  /** Puts a fixture's flow file in place, then its texts if it has any. */
  use(fixture: 'v1' | 'v2' | 'broken'): void;
  remove(): void;
}

/** A FLOWS_DIR and LOCALES_DIR of their own: the shipped shared English texts and one fixture. */
export function workspace(fixture: 'v1' | 'v2' | 'broken'): Workspace {
  const root = mkdtempSync(join(tmpdir(), 'carevoice-publish-'));
  const flowsDir = join(root, 'flows');
  const localesDir = join(root, 'locales');
  mkdirSync(flowsDir);
  mkdirSync(join(localesDir, 'en'), { recursive: true });
  for (const name of readdirSync('locales/en'))
    cpSync(join('locales/en', name), join(localesDir, 'en', name));
  const use = (which: 'v1' | 'v2' | 'broken'): void => {
    cpSync(join(PUBLISH_FIXTURES, which, 'flows'), flowsDir, { recursive: true });
    const texts = join(PUBLISH_FIXTURES, which, 'locales');
    if (readdirSync(join(PUBLISH_FIXTURES, which)).includes('locales'))
      cpSync(texts, localesDir, { recursive: true });
  };
  use(fixture);
  return {
    flowsDir,
    localesDir,
    flowFile: join(flowsDir, `${FLOW_ID}.yaml`),
    use,
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `carevoice <args>` as its own process, as a coordinator would. */
export function runCli(args: readonly string[], env: Record<string, string>): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    env: { ...process.env, NODE_ENV: 'test', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * Resolves with the first log entry (already written or still to come) that matches. The
 * server helper parses each line as it arrives; this looks again after every chunk.
 */
export function waitForLog(
  server: ServerProcess,
  matches: (entry: Record<string, unknown>) => boolean,
): Promise<Record<string, unknown>> {
  const stdout = server.child.stdout;
  if (stdout === null) throw new Error('the server has no stdout');
  return new Promise((resolve, reject) => {
    const look = (): void => {
      const found = server.logs.find(matches);
      if (found === undefined) return;
      stop();
      resolve(found);
    };
    const exited = (): void => {
      stop();
      reject(new Error('the server exited before the log line came'));
    };
    const stop = (): void => {
      stdout.off('data', look);
      server.child.off('exit', exited);
    };
    stdout.on('data', look);
    server.child.once('exit', exited);
    look();
  });
}

export interface WebReply {
  readonly type: string;
  readonly stepId?: string;
  readonly text: string;
}

export interface Turn {
  readonly status: string;
  readonly replies: readonly WebReply[];
}

/** Opens the flow in the web chat of `server`; returns the conversation id and the first replies. */
export async function startConversation(
  server: ServerProcess,
): Promise<{ id: string; turn: Turn }> {
  const started = await post(server.url, '/chat/api/conversations', { flowId: FLOW_ID });
  if (started.status !== 201) throw new Error(`start failed: ${JSON.stringify(started.json)}`);
  return { id: String(started.json['conversationId']), turn: started.json as unknown as Turn };
}

export async function answer(server: ServerProcess, id: string, text: string): Promise<Turn> {
  const reply = await post(server.url, `/chat/api/conversations/${id}/messages`, { text });
  if (reply.status !== 200) throw new Error(`message failed: ${JSON.stringify(reply.json)}`);
  return reply.json as unknown as Turn;
}

/** The question a turn ends on. */
export function question(turn: Turn): WebReply | undefined {
  return turn.replies.findLast((reply) => reply.type === 'question');
}
