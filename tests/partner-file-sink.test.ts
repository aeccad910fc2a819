import { mkdtemp, readFile, rm, symlink, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger.js';
import type { Delivery } from '../src/partners/delivery.js';
import { createFileSink } from '../src/partners/file-sink.js';

const delivery = (n: number): Delivery => ({
  id: `msg_${String(n).padStart(32, '0')}`,
  type: 'response.completed',
  flowId: 'weekends',
  partnerId: 'carers_centre',
  recordId: `rsp_0${n}`,
  body: JSON.stringify({ type: 'response.completed', data: { id: `rsp_0${n}`, note: 'a\nb' } }),
});

let scratch: string;
let folder: string;
beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'carevoice-partner-files-'));
  folder = path.join(scratch, 'partners');
  await mkdir(folder);
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const sink = () => createFileSink({ directory: folder, logger: createLogger('silent') });
const file = (p: string) => ({ kind: 'file' as const, path: p });

describe('partner file sink', () => {
  it('appends one JSON line per delivery, creating folders as needed', async () => {
    const append = sink();
    expect(await append(file('carers/responses.jsonl'), delivery(1))).toEqual({
      result: 'delivered',
    });
    expect(await append(file('carers/responses.jsonl'), delivery(2))).toEqual({
      result: 'delivered',
    });
    const text = await readFile(path.join(folder, 'carers/responses.jsonl'), 'utf8');
    expect(text.split('\n')).toEqual([delivery(1).body, delivery(2).body, '']);
  });

  it.each(['../outside.jsonl', 'carers/../../outside.jsonl', '/tmp/outside.jsonl', '.', ''])(
    'refuses the path %j, which leaves the folder',
    async (escape) => {
      expect(await sink()(file(escape), delivery(1))).toEqual({
        result: 'retry',
        reason: 'path_refused',
      });
    },
  );

  it('refuses a folder that is a symbolic link pointing out', async () => {
    const outside = path.join(scratch, 'outside');
    await mkdir(outside);
    await symlink(outside, path.join(folder, 'linked'));
    expect(await sink()(file('linked/responses.jsonl'), delivery(1))).toEqual({
      result: 'retry',
      reason: 'path_refused',
    });
  });

  it('retries when the file cannot be written', async () => {
    await mkdir(path.join(folder, 'taken.jsonl'));
    expect(await sink()(file('taken.jsonl'), delivery(1))).toEqual({
      result: 'retry',
      reason: 'file_write_failed',
    });
  });
});
