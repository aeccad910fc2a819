import { DEFAULT_LINT_OPTIONS, type LintOptions } from './lint/lint-flows.js';

/** The options `lint` and `launch` share to price SMS segments, as `parseArgs` takes them. */
export const PRICING_OPTIONS = {
  'price-per-segment': { type: 'string' },
  currency: { type: 'string' },
} as const;

/** The price of a segment and its currency (defaults where not given), or what is wrong with them. */
export function readPricing(values: {
  readonly 'price-per-segment'?: string | undefined;
  readonly currency?: string | undefined;
}): Pick<LintOptions, 'pricePerSegment' | 'currency'> | string {
  const price = values['price-per-segment'] ?? String(DEFAULT_LINT_OPTIONS.pricePerSegment);
  if (!/^\d+(\.\d+)?$/.test(price))
    return `--price-per-segment takes a price such as 0.0463, not '${price}'`;
  const currency = (values.currency ?? DEFAULT_LINT_OPTIONS.currency).toUpperCase();
  if (!/^[A-Z]{3}$/.test(currency))
    return `--currency takes a three-letter code such as GBP, not '${currency}'`;
  return { pricePerSegment: Number(price), currency };
}
