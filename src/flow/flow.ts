import type { FlowSafeguarding } from '../safeguarding/flow-lists.js';
import type { PartnerDef, StepDef } from './schema.js';

export type Level = 'individual' | 'operational' | 'strategic';
export type Variant = 'standard' | 'plain';

/**
 * A validated, frozen flow. Sessions refer to it by `id` and `version`; they never copy it.
 *
 * ```yaml
 * id: day-centre-weekends
 * languages: [en, cy]
 * start: story
 * steps:
 *   story: { ask: open, save: story, next: thanks }
 *   thanks: { end: true }
 * ```
 */
export interface Flow {
  readonly id: string;
  /** Content hash of the definition: an edited file gets a new version, sessions keep theirs. */
  readonly version: string;
  readonly title: string;
  readonly level: Level;
  /** Declared languages; the first is the default and the fallback for missing text. */
  readonly languages: readonly string[];
  readonly variants: readonly Variant[];
  readonly roles: readonly string[];
  /** Upper-case keywords that start the flow. */
  readonly keywords: readonly string[];
  /** The language a keyword starts the flow in, where the file names one. */
  readonly keywordLanguages: Readonly<Record<string, string>>;
  readonly expiresAfterMs: number;
  readonly reminderDelaysMs: readonly number[];
  readonly quietHours: { readonly from: string; readonly to: string } | undefined;
  readonly timezone: string;
  /** Days within which an earlier invitation (by any flow) rules out a new one; undefined: the deployment's. */
  readonly contactCapDays: number | undefined;
  /** Started only by keyword; never launched to a participant list. */
  readonly inboundOnly: boolean;
  readonly start: string;
  readonly steps: Readonly<Record<string, StepDef>>;
  readonly partners: readonly PartnerDef[];
  /**
   * Sessions that expire or halt with answers become `partial` responses: when the flow says
   * `keep_partial: true` or a partner asks for them (`send_partial`).
   */
  readonly keepPartial: boolean;
  /** Safeguarding phrase lists, compiled at load, and what follows a match. */
  readonly safeguarding: FlowSafeguarding;
  /** How long responses are kept after they were stored (`retention:`); the daily purge removes older ones. */
  readonly retentionMs: number;
  /** The file the flow came from, for messages. */
  readonly source: string;
}

export const DEFAULT_EXPIRY_MS = 7 * 24 * 3600_000;
export const DEFAULT_TIMEZONE = 'Europe/London';
/** Twelve months, unless a flow says otherwise. */
export const DEFAULT_RETENTION_MS = 365 * 86_400_000;
