import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { buildServers, type Build } from './lib/build.js';
import { measureEngine } from './lib/engine.js';
import { measuredRun, median, type MeasuredRun, type RunOptions } from './lib/inbound.js';
import { flowsWithoutPartners } from './lib/flows.js';
import {
  LINEAR_SIZES,
  linearCostRows,
  measureLinearCosts,
  type LinearFigures,
} from './lib/linear.js';
import { measureMemory, type MemoryFigures } from './lib/memory.js';
import {
  Cleanup,
  freePort,
  rssMiB,
  startNodeServer,
  startRedis,
  type Started,
} from './lib/processes.js';
import { markdownTable, row, type Row } from './lib/table.js';
import { ConversationTraffic, PUBLIC_URL } from './lib/traffic.js';

const USAGE = `npm run bench -- [--warmup 3] [--duration 10] [--connections 50] [--numbers 10000]
                    [--repeat 1] [--no-scale] [--no-memory] [--no-linear] [--quick]
                    [--out bench/last.json]
  --quick: the linear costs at smaller sizes (export 10,000 and 100,000 rows, status with
           10,000 sessions, 10,000 invitations)`;

const { values: args } = parseArgs({
  options: {
    warmup: { type: 'string', default: '3' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    numbers: { type: 'string', default: '10000' },
    repeat: { type: 'string', default: '1' },
    'engine-ms': { type: 'string', default: '3000' },
    'pool-per-second': { type: 'string', default: '10000' },
    'no-scale': { type: 'boolean', default: false },
    'no-memory': { type: 'boolean', default: false },
    'no-linear': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench/last.json' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const positive = (name: keyof typeof args): number => {
  const value = Number(args[name]);
  if (!Number.isFinite(value) || value < 0)
    throw new Error(`--${name} takes a number, not ${String(args[name])}`);
  return value;
};
const numbers = positive('numbers');
const repeat = Math.max(1, Math.round(positive('repeat')));
const runOptions: RunOptions = {
  warmupSec: positive('warmup'),
  durationSec: positive('duration'),
  connections: positive('connections'),
  poolPerSecond: positive('pool-per-second'),
};

const TWILIO = {
  accountSid: `AC${randomBytes(16).toString('hex')}`,
  authToken: randomBytes(16).toString('hex'),
  to: '+447700900000',
};

const cleanup = new Cleanup();
let build: Build | undefined;
process.once('SIGINT', () => {
  void cleanup.run().finally(() => {
    build?.remove();
    process.exit(130);
  });
});

try {
  process.stderr.write('bench: engine alone\n');
  const engine = measureEngine(positive('engine-ms'));
  process.stderr.write('bench: compiling the servers\n');
  build = buildServers();
  if (build.warnings !== '')
    process.stderr.write(`bench: the compiler complained:\n${build.warnings}\n`);
  const logs = mkdtempSync(join(tmpdir(), 'carevoice-bench-logs-'));
  const redisServer = cleanup.add(await startRedis());
  const redis = new Redis(redisServer.url);
  cleanup.add({ pid: 0, url: '', stop: async () => void (await redis.quit()) });
  const carevoiceEnv = {
    NODE_ENV: 'production',
    REDIS_URL: redisServer.url,
    PUBLIC_URL,
    PSEUDONYM_KEY: randomBytes(32).toString('base64'),
    TWILIO_ACCOUNT_SID: TWILIO.accountSid,
    TWILIO_AUTH_TOKEN: TWILIO.authToken,
    TWILIO_FROM: TWILIO.to,
    // The guards against floods and reply loops are per person per minute and hour; the
    // bench's people write far faster than anyone would, and must not be turned away.
    SMS_FLOOD_LIMIT: '1000000',
    SMS_OUTBOUND_LIMIT: '1000000',
    FLOWS_DIR: flowsWithoutPartners(resolve('flows')),
    LOCALES_DIR: resolve('locales'),
    LOG_LEVEL: 'info',
  };
  const carevoiceScript = build.carevoice;
  const startCarevoice = async (name: string): Promise<Started> =>
    cleanup.add(
      await startNodeServer(
        {
          script: carevoiceScript,
          args: ['serve'],
          env: carevoiceEnv,
          logFile: join(logs, `${name}.log`),
        },
        await freePort(),
      ),
    );
  const bare = cleanup.add(
    await startNodeServer(
      {
        script: build.bareExpress,
        env: { NODE_ENV: 'production' },
        logFile: join(logs, 'bare.log'),
      },
      await freePort(),
    ),
  );
  const first = await startCarevoice('carevoice-1');
  await sleep(1_000);
  const idle = { carevoice: rssMiB(first.pid), bare: rssMiB(bare.pid) };

  const traffic = new ConversationTraffic({ numbers, ...TWILIO });
  const bareTraffic = new ConversationTraffic({ numbers, ...TWILIO });
  let memory: MemoryFigures | undefined;
  if (!args['no-memory']) {
    process.stderr.write(`bench: Redis memory over ${numbers} people\n`);
    memory = await measureMemory(redis, first.url, traffic, numbers);
  }
  const second = args['no-scale'] ? undefined : await startCarevoice('carevoice-2');
  const runs = { bare: [] as MeasuredRun[], one: [] as MeasuredRun[], two: [] as MeasuredRun[] };
  for (let i = 1; i <= repeat; i++) {
    // Interleaved, so that drift in the machine's load touches every configuration alike.
    process.stderr.write(`bench: run ${i}/${repeat}: bare Express\n`);
    runs.bare.push(await measuredRun([bare], bareTraffic, runOptions));
    process.stderr.write(`bench: run ${i}/${repeat}: carevoice, 1 process\n`);
    runs.one.push(await measuredRun([first], traffic, runOptions, redis));
    if (second !== undefined) {
      process.stderr.write(`bench: run ${i}/${repeat}: carevoice, 2 processes\n`);
      runs.two.push(await measuredRun([first, second], traffic, runOptions, redis));
    }
  }
  // The servers are done with: stopped, so the linear costs have the machine to themselves.
  for (const server of [second, first, bare]) await server?.stop();
  const linearSizes = LINEAR_SIZES[args.quick ? 'quick' : 'full'];
  let linear: LinearFigures | undefined;
  if (!args['no-linear']) {
    linear = await measureLinearCosts({
      sizes: linearSizes,
      carevoice: carevoiceScript,
      exportFloor: build.exportFloor,
      env: carevoiceEnv,
      cleanup,
      log: (line) => process.stderr.write(`bench: ${line}\n`),
    });
  }
  const rows = [
    ...inboundRows(runs, engine.stepsPerSecond, idle, logs),
    ...memoryRows(memory),
    ...linearCostRows(linear, linearSizes),
  ];
  const table = markdownTable(rows);
  process.stdout.write(`\n${table}\n`);
  writeFileSync(
    args.out,
    `${JSON.stringify({ ...describeRun(), options: { numbers, repeat, quick: args.quick, ...runOptions }, rows, raw: { engine, memory, idle, runs, linear } }, null, 2)}\n`,
  );
  process.stderr.write(`bench: written to ${args.out}; server logs in ${logs}\n`);
} finally {
  await cleanup.run();
  build?.remove();
}

function inboundRows(
  runs: Record<'bare' | 'one' | 'two', MeasuredRun[]>,
  engineStepsPerSecond: number,
  idle: { carevoice: number; bare: number },
  logs: string,
): Row[] {
  const med = (list: MeasuredRun[], pick: (run: MeasuredRun) => number): number =>
    median(list.map(pick));
  const bareRps = med(runs.bare, (r) => r.rps);
  const oneRps = med(runs.one, (r) => r.rps);
  const bareLabel = 'bare Express';
  const failures = [...runs.one, ...runs.two].reduce(
    (sum, r) => sum + r.non2xx + r.errors + r.timeouts,
    0,
  );
  const rows = [
    row('inbound SMS, 1 process: req/s', oneRps, 'req/s', {
      baseline: { label: bareLabel, value: bareRps },
      target: { kind: 'ratio', op: '>=', bound: 0.75 },
    }),
    row(
      'inbound SMS, 1 process: p50',
      med(runs.one, (r) => r.p50Ms),
      'ms',
      {
        baseline: { label: bareLabel, value: med(runs.bare, (r) => r.p50Ms) },
      },
    ),
    row(
      'inbound SMS, 1 process: p99',
      med(runs.one, (r) => r.p99Ms),
      'ms',
      {
        baseline: { label: bareLabel, value: med(runs.bare, (r) => r.p99Ms) },
        target: { kind: 'ratio', op: '<=', bound: 1.3 },
      },
    ),
    row(
      'inbound SMS: server CPU per message',
      med(runs.one, (r) => r.serverCpuUsPerRequest),
      'µs',
      {
        baseline: { label: bareLabel, value: med(runs.bare, (r) => r.serverCpuUsPerRequest) },
      },
    ),
    row(
      'inbound SMS: Redis commands per message',
      med(runs.one, (r) => r.redisCommandsPerRequest),
      '',
      {
        note: 'Redis CPU per message in the JSON',
      },
    ),
    row('inbound SMS: non-2xx, errors, timeouts', failures, '', {
      target: { kind: 'value', op: '=', bound: 0 },
    }),
    row('inbound SMS: server log warnings and errors', warningsIn(logs), '', {
      target: { kind: 'value', op: '=', bound: 0 },
    }),
    row('engine alone: steps/s', engineStepsPerSecond, 'steps/s', {
      baseline: { label: `${bareLabel} req/s`, value: bareRps },
    }),
    row('server RSS, idle', idle.carevoice, 'MiB', {
      baseline: { label: bareLabel, value: idle.bare },
    }),
    row(
      'server RSS, peak under load',
      med(runs.one, (r) => r.rssPeakMiB),
      'MiB',
      {
        baseline: { label: bareLabel, value: med(runs.bare, (r) => r.rssPeakMiB) },
        target: { kind: 'value', op: '<=', bound: 150 },
      },
    ),
  ];
  if (runs.two.length === 0) return rows;
  return [
    ...rows,
    row(
      'inbound SMS, 2 processes: req/s',
      med(runs.two, (r) => r.rps),
      'req/s',
      {
        baseline: { label: '1 process', value: oneRps },
        target: { kind: 'ratio', op: '>=', bound: 1.4 },
      },
    ),
    row(
      'inbound SMS, 2 processes: p99',
      med(runs.two, (r) => r.p99Ms),
      'ms',
      {
        baseline: { label: '1 process', value: med(runs.one, (r) => r.p99Ms) },
      },
    ),
  ];
}

function memoryRows(memory: MemoryFigures | undefined): Row[] {
  if (memory === undefined) return [];
  const floor = (label: string, value: number): Row['baseline'] => ({ label, value });
  return [
    row('Redis per active session: its own keys', memory.perSessionState, 'B', {
      baseline: floor('same JSON as one plain key', memory.perSessionFloor),
      target: { kind: 'value', op: '<=', bound: 700 },
    }),
    row('Redis per active session: every key', memory.perSession, 'B', {
      baseline: floor('same JSON as one plain key', memory.perSessionFloor),
      note: 'timer jobs and rate windows included; by kind in the JSON',
    }),
    row('Redis per remembered message id', memory.perMessageId, 'B', {
      baseline: floor('one SET NX key per id', memory.perMessageIdFloor),
      target: { kind: 'value', op: '<=', bound: 140 },
    }),
    row('Redis per further message (every key)', memory.perMessage, 'B', {
      baseline: floor('one SET NX key per id', memory.perMessageIdFloor),
    }),
  ];
}

/** Lines at pino level warn (40) or above in the carevoice servers' logs. */
function warningsIn(logs: string): number {
  return ['carevoice-1', 'carevoice-2'].reduce((sum, name) => {
    const file = join(logs, `${name}.log`);
    if (!existsSync(file)) return sum;
    const lines = readFileSync(file, 'utf8').split('\n');
    return sum + lines.filter((line) => /"level":(4|5|6)0/.test(line)).length;
  }, 0);
}

function describeRun(): Record<string, unknown> {
  const git = (...command: string[]): string => {
    try {
      return execFileSync('git', command, { encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  };
  return {
    date: new Date().toISOString(),
    commit: git('rev-parse', '--short', 'HEAD'),
    uncommittedChanges: git('status', '--porcelain', '--untracked-files=no') !== '',
    node: process.version,
    cpus: `${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}`,
  };
}
