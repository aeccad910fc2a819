import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { launch, parseLaunchArgs } from '../src/cli/launch.js';
import { runStatus, status } from '../src/cli/status.js';
import { PublishedFlows } from '../src/flow/published-flows.js';
import { prepareRelease } from '../src/flow/release.js';
import { loadCatalog } from '../src/i18n/catalog.js';
import { MemoryFlowStats } from '../src/store/flow-stats.js';
import { TWILIO_ENV } from './launch-harness.js';
import { FLOW_ID, workspace } from './helpers/publish-workspace.js';
import { redisTest } from './helpers/redis-server.js';

function sink(): { stream: Writable; text: () => string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

describe('carevoice launch and status on the command line', () => {
  it('reads the launch options', () => {
    expect(
      parseLaunchArgs([
        'day-centre-weekends',
        '--participants',
        'people.csv',
        '--dry-run',
        '--price-per-segment',
        '0.05',
        '--currency',
        'eur',
      ]),
    ).toEqual({
      flowId: 'day-centre-weekends',
      participants: 'people.csv',
      dryRun: true,
      yes: false,
      pricing: { pricePerSegment: 0.05, currency: 'EUR' },
    });
  });

  it.each([
    [['day-centre-weekends'], /needs a flow and a participants file/],
    [['--participants', 'people.csv'], /needs a flow and a participants file/],
    [['f', '--participants', 'p.csv', '--price-per-segment', 'cheap'], /takes a price/],
    [['f', '--participants', 'p.csv', '--currency', 'pounds'], /three-letter code/],
    [['f', '--participants', 'p.csv', '--unknown'], /Unknown option '--unknown'/],
  ])('refuses %j with one line and exit 1', async (args, message) => {
    const out = sink();
    const err = sink();
    expect(await launch(args, {}, out.stream, err.stream)).toBe(1);
    expect(err.text()).toMatch(message);
    expect(out.text()).toBe('');
  });

  it('refuses to launch in the embedded mode: the server could not see the invitations', async () => {
    const err = sink();
    expect(
      await launch(
        ['day-centre-weekends', '--participants', 'p.csv'],
        {},
        sink().stream,
        err.stream,
      ),
    ).toBe(1);
    expect(err.text()).toMatch(/launch needs REDIS_URL/);
    const statusErr = sink();
    expect(await status(['day-centre-weekends'], {}, sink().stream, statusErr.stream)).toBe(1);
    expect(statusErr.text()).toMatch(/status needs REDIS_URL/);
  });

  it("shows a flow's counts with what has not been sent yet", async () => {
    const stats = new MemoryFlowStats();
    await stats.add('day-centre-weekends', 'invited', 10);
    await stats.add('day-centre-weekends', 'delivered', 6);
    await stats.add('day-centre-weekends', 'skipped', 1);
    await stats.add('day-centre-weekends', 'failed', 1);
    await stats.add('day-centre-weekends', 'completed', 2);
    const out = sink();
    expect(await runStatus(stats, 'day-centre-weekends', false, out.stream)).toBe(0);
    expect(out.text()).toContain('  invited       10  invitations queued\n');
    expect(out.text()).toContain(
      '  not yet sent   2  waiting for their turn or for quiet hours to end\n',
    );
    expect(out.text()).toContain('  completed      2  conversations completed\n');
  });
});

describe('carevoice launch with REDIS_URL', () => {
  const redisEnv = redisTest();

  it('plans with the flow as the servers have it: a version published in Redis', async () => {
    const { url, prefix } = redisEnv();
    const space = workspace('v2');
    const dir = mkdtempSync(join(tmpdir(), 'carevoice-launch-cli-'));
    const client = new Redis(url);
    try {
      const { catalog } = loadCatalog(space.localesDir);
      const loaded = prepareRelease(space.flowFile, { catalog, localesDir: space.localesDir });
      if (!loaded.ok) throw new Error('the v2 fixture should load');
      await new PublishedFlows(client, prefix).publish(loaded.release, 'make_live');
      const file = join(dir, 'people.csv');
      writeFileSync(file, 'address\n07700 900901\n');
      const out = sink();
      const err = sink();
      // FLOWS_DIR (the shipped flows) has no such flow: only Redis knows it.
      const code = await launch(
        [FLOW_ID, '--participants', file, '--dry-run'],
        { NODE_ENV: 'test', REDIS_URL: url, REDIS_PREFIX: prefix, ...TWILIO_ENV },
        out.stream,
        err.stream,
      );
      expect(err.text()).toBe('');
      expect(code).toBe(0);
      expect(out.text()).toContain(`of ${FLOW_ID} (Visit feedback)\n  1 rows: 1 to invite`);
      expect(out.text()).toContain('Dry run: nothing was queued.');
    } finally {
      client.disconnect();
      space.remove();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
