import type { Wording } from './messages.js';
import { PRICE_NOTE, type LintReport } from './lint-flows.js';

/** The report as JSON, for tools. */
export function formatLintJson(report: LintReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}

/** The report as aligned plain-text tables, for a terminal. */
export function formatLintReport(report: LintReport): string {
  const { respondents, pricePerSegment, currency } = report.pricing;
  const lines: string[] = [];
  for (const flow of report.flows) {
    lines.push(`${flow.id} (${flow.file})`);
    const rows = flow.wordings.flatMap((wording) =>
      wording.messages.map((m) => [
        wordingLabel(wording),
        m.id,
        m.encoding,
        String(m.characters),
        String(m.segments),
        m.warnings.map((warning) => `! ${warning.message}`).join('; '),
      ]),
    );
    const header = ['wording', 'message', 'encoding', 'chars', 'segments', 'note'];
    lines.push(...alignColumns([header, ...rows], [3, 4]).map((line) => `  ${line}`));
    if (flow.wordings.some((wording) => wording.onlyDifferences))
      lines.push('  (a role lists only the messages that differ from the wording without a role)');
    const run = flow.longestRun;
    if (run !== null) {
      const partial = run.exhaustive ? '' : ' (too many paths: not all were walked)';
      lines.push(
        `  longest full run: ${run.segments} segments (${wordingLabel(run)}): ${run.steps.join(' > ')}${partial}`,
      );
      const byWording = flow.wordings.flatMap((w) =>
        w.longestRun === null ? [] : [`${wordingLabel(w)} ${w.longestRun.segments}`],
      );
      lines.push(...wrap('  segments by wording: ', byWording));
      lines.push(
        `  cost estimate: ${respondents} respondents x ${run.segments} segments x ${pricePerSegment} ${currency} = ${flow.cost.total.toFixed(2)} ${currency}`,
      );
    }
    for (const advice of flow.advice)
      lines.push(
        `  advice: ${advice.messageId} (${wordingLabel(advice)}): "${advice.found}": ${advice.advice}`,
      );
    lines.push('');
  }
  const count = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const warnings = report.flows
    .flatMap((flow) => flow.wordings.flatMap((w) => w.messages))
    .reduce((sum, m) => sum + m.warnings.length, 0);
  const advice = report.flows.reduce((sum, flow) => sum + flow.advice.length, 0);
  lines.push(PRICE_NOTE);
  lines.push(
    `${report.flows.length} of ${count(report.filesChecked, 'flow file')} linted, ${count(report.problems.length, 'problem')}, ${count(warnings, 'warning')}, ${advice} advice`,
  );
  return `${lines.join('\n')}\n`;
}

function wordingLabel({ language, variant, role }: Wording): string {
  return [language, variant === 'plain' ? 'plain' : null, role].filter((p) => p !== null).join(' ');
}

/** Rows padded to their widest cell; the columns listed are numbers, so aligned right. */
function alignColumns(rows: readonly string[][], rightAligned: readonly number[]): string[] {
  const widths = rows.reduce<number[]>(
    (max, row) => row.map((cell, i) => Math.max(max[i] ?? 0, [...cell].length)),
    [],
  );
  return rows.map((row) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat((widths[i] ?? 0) - [...cell].length);
        return rightAligned.includes(i) ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd(),
  );
}

/** A list after a label, broken into lines of at most `width` characters. */
function wrap(label: string, items: readonly string[], width = 100): string[] {
  const lines: string[] = [];
  let line = label;
  for (const [i, item] of items.entries()) {
    const piece = i < items.length - 1 ? `${item}, ` : item;
    if (line.length + piece.length > width && line.trim() !== label.trim()) {
      lines.push(line.trimEnd());
      line = ' '.repeat(label.length);
    }
    line += piece;
  }
  lines.push(line.trimEnd());
  return lines;
}
