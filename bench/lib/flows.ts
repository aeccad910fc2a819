import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

/**
 * The shipped flows without their partners, in a scratch folder: a completed response would
 * otherwise be delivered to the partners' real addresses, and the bench sends nothing off
 * this machine. Everything a message costs up to the commit is unchanged.
 */
export function flowsWithoutPartners(flowsDir: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'carevoice-bench-flows-'));
  for (const file of readdirSync(flowsDir).filter((name) => /\.ya?ml$/.test(name))) {
    const flow: unknown = parse(readFileSync(join(flowsDir, file), 'utf8'));
    if (typeof flow === 'object' && flow !== null) Reflect.deleteProperty(flow, 'partners');
    writeFileSync(join(dir, file), stringify(flow));
  }
  return dir;
}
