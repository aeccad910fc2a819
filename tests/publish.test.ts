import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../src/engine/types.js';
import { PublishedFlows } from '../src/flow/published-flows.js';
import { prepareRelease } from '../src/flow/release.js';
import { loadCatalog } from '../src/i18n/catalog.js';
import { RedisSessionStore } from '../src/store/redis-session-store.js';
import {
  answer,
  FLOW_ID,
  question,
  runCli,
  startConversation,
  waitForLog,
  workspace,
  type Workspace,
} from './helpers/publish-workspace.js';
import { redisTest } from './helpers/redis-server.js';
import { startServerProcess, type ServerProcess } from './helpers/server-process.js';

const PSEUDONYM_KEY = 'test-pseudonym-key-for-publishing-flows-0001';

function versionOf(space: Workspace): string {
  const { catalog } = loadCatalog(space.localesDir);
  const loaded = prepareRelease(space.flowFile, { catalog, localesDir: space.localesDir });
  if (!loaded.ok) throw new Error(`fixture should load: ${JSON.stringify(loaded.problems)}`);
  return loaded.flow.version;
}

async function ended(store: RedisSessionStore, id: string): Promise<Session> {
  const [done] = await store.history({ channel: 'web', address: id });
  if (done === undefined) throw new Error('the conversation did not end');
  return done;
}

describe('publishing a new flow version to servers that share Redis', () => {
  const redisEnv = redisTest();
  let servers: [ServerProcess, ServerProcess];
  let redis: Redis;
  let store: RedisSessionStore;
  let published: PublishedFlows;
  let env: Record<string, string>;
  let live: Workspace;
  const spaces: Workspace[] = [];
  const space = (fixture: 'v1' | 'v2' | 'broken'): Workspace => {
    const made = workspace(fixture);
    spaces.push(made);
    return made;
  };

  beforeAll(async () => {
    const { url, prefix } = redisEnv();
    live = space('v1');
    env = {
      REDIS_URL: url,
      REDIS_PREFIX: prefix,
      PSEUDONYM_KEY,
      FLOWS_DIR: live.flowsDir,
      LOCALES_DIR: live.localesDir,
    };
    const [first, second] = await Promise.all([startServerProcess(env), startServerProcess(env)]);
    servers = [first, second];
    redis = new Redis(url);
    store = new RedisSessionStore({ redis, prefix, secret: PSEUDONYM_KEY });
    published = new PublishedFlows(redis, prefix);
  });
  afterAll(async () => {
    await Promise.all((servers ?? []).map((server) => server.stop()));
    redis?.disconnect();
    spaces.forEach((made) => made.remove());
  });

  it('lets a conversation under way finish on version 1 while a new one starts on version 2, and refuses a broken file', async () => {
    const [a, b] = servers;
    const v1 = versionOf(live);
    // Both servers found FLOWS_DIR's version unknown to Redis; one of them stored it.
    expect((await published.read()).versions.map((v) => v.release.version)).toEqual([v1]);

    const alice = await startConversation(a);
    expect(question(alice.turn)?.stepId).toBe('rating');

    // The coordinator edits a copy: the parking question and its text are gone.
    const edited = space('v2');
    const v2 = versionOf(edited);
    const publish = await runCli(['publish', edited.flowFile], {
      ...env,
      LOCALES_DIR: edited.localesDir,
    });
    expect(publish.stderr).toBe('');
    expect(publish.code).toBe(0);
    expect(publish.stdout).toContain(`published ${FLOW_ID} version ${v2}`);
    await Promise.all(
      servers.map((server) =>
        waitForLog(server, (e) => e['msg'] === 'flow version live' && e['version'] === v2),
      ),
    );

    // Alice answers on the other server: she is still on version 1, parking question included,
    // in version 1's words although version 2 dropped that text.
    const parking = question(await answer(b, alice.id, '4'));
    expect(parking).toMatchObject({
      stepId: 'parking',
      text: expect.stringContaining('Could you park near the entrance?'),
    });
    const why = question(await answer(b, alice.id, 'yes'));
    // Texts are per flow: a key both versions have speaks in the newest wording.
    expect(why).toMatchObject({ stepId: 'why', text: 'What made you give that score?' });
    expect((await answer(a, alice.id, 'Friendly staff.')).status).toBe('completed');

    // Bob starts after the publish: version 2, straight from the rating to the reason.
    const bob = await startConversation(b);
    expect(bob.turn.replies[0]?.text).toBe('Hello. Two short questions about your visit.');
    expect(question(await answer(a, bob.id, '2'))?.stepId).toBe('why');
    expect((await answer(b, bob.id, 'Long wait.')).status).toBe('completed');

    const aliceDone = await ended(store, alice.id);
    const bobDone = await ended(store, bob.id);
    expect(aliceDone.flowVersion).toBe(v1);
    expect(Object.keys(aliceDone.answers).sort()).toEqual(['parking', 'rating', 'why']);
    expect(bobDone.flowVersion).toBe(v2);
    expect(Object.keys(bobDone.answers).sort()).toEqual(['rating', 'why']);

    // A broken file: refused with the place and the reason, and nothing changes.
    const before = await published.read();
    const broken = space('broken');
    const refused = await runCli(['publish', broken.flowFile], {
      ...env,
      LOCALES_DIR: broken.localesDir,
    });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(
      `${broken.flowFile}:16:11: steps.rating.next: no step named 'reason'`,
    );
    expect(refused.stderr).toContain('nothing published');
    expect(await published.read()).toEqual(before);
    const carol = await startConversation(a);
    expect(question(await answer(a, carol.id, '5'))?.stepId).toBe('why');

    const listing = await runCli(['flows'], env);
    expect(listing.code).toBe(0);
    const lines = listing.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(`${FLOW_ID}  keywords: VISIT`);
    expect(lines[1]).toMatch(
      new RegExp(`^  live    ${v2}  published \\d{4}-\\d\\d-\\d\\dT[\\d:]+Z  ${FLOW_ID}\\.yaml$`),
    );
    expect(lines[2]).toMatch(new RegExp(`^  earlier ${v1}  published `));
  });

  it('leaves a live version alone when the same file is published again', async () => {
    const again = space('v2');
    const before = await published.read();
    const run = await runCli(['publish', again.flowFile], {
      ...env,
      LOCALES_DIR: again.localesDir,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('is live already with these texts: nothing to publish');
    expect(await published.read()).toEqual(before);
  });
});
