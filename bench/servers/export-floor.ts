import { once } from 'node:events';
import { Redis } from 'ioredis';

/**
 * The floor an export is measured against: a bare XRANGE page loop over a flow's responses
 * stream (pages of 500, as the store reads), writing each stored record's raw JSON as one
 * line, with nothing decoded or formatted. Usage: node export-floor.js <stream key>; REDIS_URL.
 */
const PAGE = 500;
const key = process.argv[2];
const url = process.env['REDIS_URL'];
if (key === undefined || url === undefined) {
  process.stderr.write('usage: REDIS_URL=… node export-floor.js <stream key>\n');
  process.exit(1);
}

const redis = new Redis(url);
let start = '-';
let rows = 0;
for (;;) {
  const page = (await redis.xrange(key, start, '+', 'COUNT', PAGE)) as [string, string[]][];
  let chunk = '';
  for (const [, fields] of page) chunk += `${fields[fields.indexOf('r') + 1] ?? ''}\n`;
  rows += page.length;
  if (chunk !== '' && !process.stdout.write(chunk)) await once(process.stdout, 'drain');
  const last = page.at(-1);
  if (last === undefined || page.length < PAGE) break;
  start = `(${last[0]}`;
}
await redis.quit();
process.stderr.write(`export-floor: ${rows} rows\n`);
