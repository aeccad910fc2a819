import { randomBytes, randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { flowResponsesKey } from '../../src/responses/redis-response-store.js';
import { expectSuccess, runCli, type CliRun } from './cli-run.js';
import { DEMO_FLOW, type SampleConversation } from './sample-conversation.js';
import { SampleCommits } from './session-commits.js';

export interface ExportRun {
  readonly rows: number;
  /** `carevoice export <flow> --format csv`, start to exit. */
  readonly carevoice: ExportFigures;
  /** The bare XRANGE loop over the same stream. */
  readonly floor: ExportFigures;
}

export interface ExportFigures {
  readonly rowsPerSecond: number;
  readonly peakRssMiB: number;
  readonly wallMs: number;
  readonly outputBytes: number;
}

export interface ExportContext {
  readonly redis: Redis;
  readonly prefix: string;
  readonly carevoice: string;
  readonly floor: string;
  readonly env: Readonly<Record<string, string>>;
}

/**
 * A flow's responses stream filled fast: one record stored by the real commit, then copies
 * of its stream entry (same fields, same JSON) with their own record id and respondent,
 * added by pipelined XADD until the stream holds `rows`.
 */
export class ResponsesFill {
  private template:
    { readonly fields: string[]; readonly id: string; readonly respondent: string } | undefined;

  constructor(
    private readonly context: ExportContext,
    private readonly sample: SampleConversation,
    private readonly secret: string,
  ) {}

  get key(): string {
    return flowResponsesKey(this.context.prefix, DEMO_FLOW);
  }

  /** Entry size in bytes (the record's JSON), once the sample has been stored. */
  get recordBytes(): number {
    return Buffer.byteLength(this.template?.fields[this.template.fields.indexOf('r') + 1] ?? '');
  }

  async upTo(rows: number): Promise<void> {
    const { redis } = this.context;
    const template = this.template ?? (this.template = await this.storeSample());
    const [idAt, recordAt] = [template.fields.indexOf('id') + 1, template.fields.indexOf('r') + 1];
    const record = template.fields[recordAt] ?? '';
    let stored = await redis.xlen(this.key);
    while (stored < rows) {
      const batch = Math.min(2_000, rows - stored);
      const refs = randomBytes(batch * 17).toString('base64url');
      const pipeline = redis.pipeline();
      for (let i = 0; i < batch; i++) {
        const id = randomUUID();
        const fields = [...template.fields];
        fields[idAt] = id;
        fields[recordAt] = record
          .replace(template.id, id)
          .replace(template.respondent, refs.slice(i * 22, i * 22 + 22));
        pipeline.xadd(this.key, '*', ...fields);
      }
      const replies = (await pipeline.exec()) ?? [];
      const failed = replies.find(([error]) => error !== null);
      if (failed?.[0] != null) throw failed[0];
      stored += batch;
    }
  }

  private async storeSample(): Promise<{ fields: string[]; id: string; respondent: string }> {
    const { redis, prefix } = this.context;
    await new SampleCommits(redis, prefix, this.secret, this.sample).person(0, true, new Date());
    const [entry] = (await redis.xrange(this.key, '-', '+', 'COUNT', 1)) as [string, string[]][];
    const fields = entry?.[1];
    const json = fields?.[fields.indexOf('r') + 1];
    if (fields === undefined || json === undefined)
      throw new Error('the real commit stored no response record');
    const { id, respondent } = JSON.parse(json) as { id: string; respondent: string };
    return { fields, id, respondent };
  }
}

/** The real export and the floor over the stream as it is now (`rows` records), each checked. */
export async function measureExport(context: ExportContext, rows: number): Promise<ExportRun> {
  const env = { ...context.env, REDIS_PREFIX: context.prefix };
  const floor = await runCli({
    script: context.floor,
    args: [flowResponsesKey(context.prefix, DEMO_FLOW)],
    env,
  });
  // One line per record: the raw JSON holds its line breaks escaped.
  expectRows('the XRANGE floor', expectSuccess('the XRANGE floor', floor).lines, rows);
  const carevoice = await runCli({
    script: context.carevoice,
    args: ['export', DEMO_FLOW, '--format', 'csv'],
    env,
  });
  // The header, then one CRLF-ended line per record (line breaks in answers are bare LFs).
  expectRows('carevoice export', expectSuccess('carevoice export', carevoice).crlfLines, rows + 1);
  return { rows, carevoice: figures(carevoice, rows), floor: figures(floor, rows) };
}

function expectRows(what: string, written: number, lines: number): void {
  if (written !== lines) throw new Error(`${what} wrote ${written} lines; ${lines} were expected`);
}

function figures(run: CliRun, rows: number): ExportFigures {
  return {
    rowsPerSecond: rows / (run.wallMs / 1000),
    peakRssMiB: run.peakRssMiB,
    wallMs: run.wallMs,
    outputBytes: run.bytes,
  };
}
