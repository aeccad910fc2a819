import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { launch, parseLaunchArgs } from '../src/cli/launch.js';
import { runStatus, status } from '../src/cli/status.js';
import { MemoryFlowStats } from '../src/store/flow-stats.js';

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
