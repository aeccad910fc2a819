import { z } from 'zod';

/** Hard limits, so one flow file cannot exhaust the server or the respondent's patience. */
export const MAX_STEPS_PER_FLOW = 200;
export const MAX_OPTIONS_PER_STEP = 20;
export const MAX_FOLLOW_UPS = 5;
export const MAX_KEYWORDS = 10;
/** The longest contact cap a flow may set, in days. */
export const MAX_CONTACT_CAP_DAYS = 365;

const identifier = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*$/,
    'use lower-case letters, digits and underscores, starting with a letter',
  );
const flowId = z
  .string()
  .regex(/^[a-z][a-z0-9-]*$/, 'use lower-case letters, digits and hyphens, starting with a letter');
const language = z
  .string()
  .regex(/^[a-z]{2,3}$/, 'use a two- or three-letter language code such as en, cy or pl');
const keyword = z.string().regex(/^[A-Za-z0-9]{2,20}$/, 'use 2 to 20 letters or digits, no spaces');
/** A duration such as `30m`, `36h`, `14d`. */
export const duration = z.string().regex(/^\d+[mhd]$/, 'write a duration such as 30m, 36h or 14d');
const clockRange = z
  .string()
  .regex(
    /^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$/,
    'write quiet hours as HH:MM-HH:MM, e.g. 20:00-09:00',
  );

/** Where to go next: one step id, or a map from answer to step id with an optional `default`. */
const next = z.union([identifier, z.record(z.string(), identifier)]);

const common = {
  /** Text key of the message or question; defaults to the step id. */
  text: identifier.optional(),
  next: next.optional(),
};
const saved = { save: identifier.optional() };

export const sayStep = z.strictObject({ say: identifier, next: identifier.optional() });
export const endStep = z.strictObject({ end: z.literal(true), say: identifier.optional() });

export const openStep = z.strictObject({
  ask: z.literal('open'),
  ...common,
  ...saved,
  /** `true` asks the shared "anything else?" text; a text key asks that text instead. */
  follow_up: z.union([z.boolean(), identifier]).optional(),
});
export const choiceStep = z.strictObject({
  ask: z.literal('choice'),
  ...common,
  ...saved,
  options: z.array(identifier).min(2).max(MAX_OPTIONS_PER_STEP),
  multiple: z.boolean().optional(),
  /** The answer sets the respondent's role (wording context) or language. */
  sets: z.enum(['role', 'language', 'variant']).optional(),
});
export const yesNoStep = z.strictObject({ ask: z.literal('yes_no'), ...common, ...saved });
export const scaleStep = z.strictObject({
  ask: z.literal('scale'),
  ...common,
  ...saved,
  range: z.tuple([z.number().int(), z.number().int()]),
  /** Text keys labelling the low and high ends, e.g. `[very_poor, very_good]`. */
  labels: z.tuple([identifier, identifier]).optional(),
});
export const numberStep = z.strictObject({
  ask: z.literal('number'),
  ...common,
  ...saved,
  min: z.number().optional(),
  max: z.number().optional(),
  integer: z.boolean().optional(),
});

/**
 * Asks for agreement before anything else is asked: yes goes on to `next`, no ends the
 * conversation kindly (the `declined` text, by default `<step>_declined`) and keeps nothing.
 */
export const consentStep = z.strictObject({
  ask: z.literal('consent'),
  ...common,
  declined: identifier.optional(),
});

/** Most phrases a flow file may add to the shared safeguarding lists, per language. */
export const MAX_FLOW_SAFEGUARDING_PHRASES = 50;
/** Flow additions to safeguarding: `{ phrases: { en: ["lost my carer*"] }, then: pause }`. */
export const safeguarding = z.strictObject({
  phrases: z
    .record(language, z.array(z.string().min(1).max(200)).max(MAX_FLOW_SAFEGUARDING_PHRASES))
    .optional(),
  /** After signposting: `continue` (the default) asks on; `pause` stops the questions. */
  then: z.enum(['continue', 'pause']).optional(),
});

export const partner = z.strictObject({
  id: identifier,
  webhook: z.url({ protocol: /^https?$/ }).optional(),
  /** For partners who take files: a JSONL file in the partner files folder, e.g. `council/r.jsonl`. */
  file: z
    .string()
    .max(200)
    .regex(
      /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/,
      'write a path inside the partner files folder, e.g. council/responses.jsonl',
    )
    .optional(),
  secret_env: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]*$/, 'name an environment variable in CAPITALS')
    .optional(),
  fields: z.array(identifier).min(1),
  include_open_text: z.boolean().optional(),
  send_partial: z.boolean().optional(),
});

export const flowHeader = z.strictObject({
  id: flowId,
  title: z.string().min(1).max(120),
  level: z.enum(['individual', 'operational', 'strategic']),
  languages: z.array(language).min(1),
  variants: z.array(z.literal('plain')).optional(),
  roles: z.array(identifier).optional(),
  /** `[DAYCENTRE]`, or a map that also picks the language: `{ DAYCENTRE: en, CANOLFAN: cy }`. */
  keywords: z.union([z.array(keyword).max(MAX_KEYWORDS), z.record(keyword, language)]).optional(),
  expires_after: duration.optional(),
  reminders: z.array(duration).optional(),
  quiet_hours: clockRange.optional(),
  timezone: z.string().optional(),
  /** Invitations to this flow skip people invited by any flow this many days before (default `CONTACT_CAP_DAYS`; 0: no cap). */
  contact_cap_days: z.number().int().min(0).max(MAX_CONTACT_CAP_DAYS).optional(),
  /** Only started by texting a keyword (a poster, a leaflet): `carevoice launch` refuses it. */
  inbound_only: z.boolean().optional(),
  start: identifier,
  steps: z.record(z.string(), z.unknown()),
  partners: z.array(partner).optional(),
  /** Keep the answers of a session that expires or halts part-way, as a `partial` response. */
  keep_partial: z.boolean().optional(),
  /** How long responses are kept from when they were stored, in days: `365d` unless set. */
  retention: z
    .string()
    .regex(/^[1-9]\d{0,3}d$/, 'write how long responses are kept in days, e.g. 365d or 90d')
    .optional(),
  safeguarding: safeguarding.optional(),
});

export type SayStepDef = z.infer<typeof sayStep>;
export type EndStepDef = z.infer<typeof endStep>;
export type OpenStepDef = z.infer<typeof openStep>;
export type ChoiceStepDef = z.infer<typeof choiceStep>;
export type YesNoStepDef = z.infer<typeof yesNoStep>;
export type ScaleStepDef = z.infer<typeof scaleStep>;
export type NumberStepDef = z.infer<typeof numberStep>;
export type ConsentStepDef = z.infer<typeof consentStep>;
export type QuestionStepDef =
  OpenStepDef | ChoiceStepDef | YesNoStepDef | ScaleStepDef | NumberStepDef | ConsentStepDef;
export type StepDef = SayStepDef | EndStepDef | QuestionStepDef;
export type AskKind = QuestionStepDef['ask'];
export type PartnerDef = z.infer<typeof partner>;
export type FlowHeader = z.infer<typeof flowHeader>;

/** Each `ask:` kind names the schema that checks it: config names behaviour, code supplies it. */
export const questionSchemas: Record<AskKind, z.ZodType<QuestionStepDef>> = {
  open: openStep,
  choice: choiceStep,
  yes_no: yesNoStep,
  scale: scaleStep,
  number: numberStep,
  consent: consentStep,
};
