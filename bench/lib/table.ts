/** One line of the bench's table (and of its JSON). */
export interface Row {
  readonly figure: string;
  /** Undefined when the figure could not be measured in this run; `note` says why. */
  readonly value: number | undefined;
  readonly unit: string;
  readonly baseline?: { readonly label: string; readonly value: number } | undefined;
  /** value ÷ baseline, when there is a baseline. */
  readonly ratio?: number | undefined;
  readonly target?: Target | undefined;
  readonly note?: string | undefined;
}

/** A ratio bound (against the row's baseline) or an absolute bound on the value. */
export interface Target {
  readonly kind: 'ratio' | 'value';
  readonly op: '>=' | '<=' | '=';
  readonly bound: number;
}

export type Verdict = 'met' | 'missed' | '';

export function row(
  figure: string,
  value: number | undefined,
  unit: string,
  options: Pick<Row, 'baseline' | 'target' | 'note'> = {},
): Row {
  const ratio =
    value !== undefined && options.baseline !== undefined && options.baseline.value !== 0
      ? value / options.baseline.value
      : undefined;
  return { figure, value, unit, ...options, ratio };
}

export function verdict(r: Row): Verdict {
  if (r.target === undefined || r.value === undefined) return '';
  const measured = r.target.kind === 'ratio' ? r.ratio : r.value;
  if (measured === undefined) return '';
  const { op, bound } = r.target;
  const ok = op === '>=' ? measured >= bound : op === '<=' ? measured <= bound : measured === bound;
  return ok ? 'met' : 'missed';
}

const HEADER = ['figure', 'value', 'baseline (same run)', 'ratio', 'target', ''];

/** The table as GitHub Markdown, so it pastes into docs/performance.md as it is. */
export function markdownTable(rows: readonly Row[]): string {
  const lines = rows.map((r) => [
    r.figure,
    r.value === undefined
      ? (r.note ?? 'not measured')
      : `${formatNumber(r.value)} ${r.unit}`.trim(),
    r.baseline === undefined ? '' : `${formatNumber(r.baseline.value)} (${r.baseline.label})`,
    r.ratio === undefined ? '' : r.ratio.toFixed(2),
    describeTarget(r),
    verdict(r),
  ]);
  const widths = HEADER.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const format = (cells: readonly string[]): string =>
    `| ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [format(HEADER), format(widths.map((w) => '-'.repeat(w))), ...lines.map(format)].join(
    '\n',
  );
}

function describeTarget(r: Row): string {
  if (r.target === undefined) return '';
  const op = { '>=': '≥', '<=': '≤', '=': '=' }[r.target.op];
  return r.target.kind === 'ratio'
    ? `${op} ${r.target.bound} ×`
    : `${op} ${formatNumber(r.target.bound)} ${r.unit}`.trim();
}

function formatNumber(value: number): string {
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : 2;
  return value.toLocaleString('en-GB', {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  });
}
