import type { Flow, Variant } from '../flow/flow.js';
import { readAddress, type InviteAddress } from './address.js';
import { CsvSyntaxError, readCsvRecords, type CsvText } from './csv.js';
import type { SeenPeople } from './seen-people.js';

/** One person to invite, as the participants file describes them. */
export interface Participant {
  /** The line of the file the row starts on. */
  readonly line: number;
  readonly address: InviteAddress;
  /** Undefined: the flow's first language. */
  readonly language: string | undefined;
  readonly variant: Variant;
  readonly role: string | undefined;
  /** `name` and every extra column, for the flow's wording (`{{name}}`); blanks left out. */
  readonly params: Readonly<Record<string, string>>;
}

/** A row that will not be invited, and why; `duplicateOf` names the line it repeats. */
export interface RejectedRow {
  readonly line: number;
  readonly reason: string;
  readonly duplicateOf?: number | undefined;
}

/** The file as a whole cannot be used (no header, no address column, not CSV). */
export class ParticipantsFileError extends Error {
  readonly code = 'participants_invalid';
  constructor(message: string) {
    super(message);
    this.name = 'ParticipantsFileError';
  }
}

/** Columns with a meaning of their own; any other column becomes a parameter of the wording. */
const KNOWN_COLUMNS = ['address', 'language', 'variant', 'role', 'name'] as const;
const COLUMN_NAME = /^[a-z][a-z0-9_]*$/;
/** A longer value is almost certainly a wrong column, and would make every text longer. */
const MAX_VALUE_LENGTH = 200;

/**
 * Reads a participants file for a flow, a row at a time. Every row is either a participant or
 * a rejected row with its line and the reason: nothing is dropped silently. The same person
 * twice (the same phone number, on SMS or WhatsApp, or the same Slack user) is kept once, at
 * the first line `seen` met them on. A file that cannot be used at all throws
 * `ParticipantsFileError`, as soon as the trouble is read.
 */
export function* readParticipants(
  text: CsvText,
  flow: Flow,
  seen: SeenPeople,
): Generator<Participant | RejectedRow> {
  for (const { line, fields, columns } of rowsOf(text)) {
    const read = readRow(line, fields, columns, flow);
    if ('reason' in read) {
      yield read;
      continue;
    }
    const first = seen.meet(identityOf(read.address), line);
    yield first === undefined
      ? read
      : { line, reason: `the same person as line ${first}`, duplicateOf: first };
  }
}

/**
 * The participants on the lines `wanted` picks, read again as `readParticipants` read them
 * (other rows are passed over unread): what a launch planned is what it queues.
 */
export function* rereadParticipants(
  text: CsvText,
  flow: Flow,
  wanted: (line: number) => boolean,
): Generator<Participant> {
  for (const { line, fields, columns } of rowsOf(text)) {
    if (!wanted(line)) continue;
    const read = readRow(line, fields, columns, flow);
    if ('reason' in read) throw new ParticipantsFileError(`line ${line} changed: ${read.reason}`);
    yield read;
  }
}

/** The rows after the header, with the header's columns; the header checked first. */
function* rowsOf(
  text: CsvText,
): Generator<{ line: number; fields: readonly string[]; columns: readonly string[] }> {
  try {
    const records = readCsvRecords(text);
    const header = records.next();
    if (header.done === true) throw new ParticipantsFileError('the file is empty');
    const columns = readHeader(header.value.fields);
    for (const { line, fields } of records) yield { line, fields, columns };
  } catch (error) {
    if (error instanceof CsvSyntaxError)
      throw new ParticipantsFileError(`not a CSV file: ${error.message}`);
    throw error;
  }
}

/** One person, whichever way the file writes them: a phone number on SMS or WhatsApp is one person. */
export function identityOf(address: InviteAddress): string {
  if (address.channel !== 'slack') return `phone:${address.phone}`;
  return 'userId' in address ? `slack:${address.userId}` : `email:${address.email}`;
}

function readHeader(fields: readonly string[]): readonly string[] {
  const columns = fields.map((field) => field.trim().toLowerCase());
  const problems: string[] = [];
  if (!columns.includes('address'))
    problems.push(
      'the first line must name the columns, one of them `address` (a phone number, whatsapp:+44…, a Slack user id or email)',
    );
  columns.forEach((column, index) => {
    if (!COLUMN_NAME.test(column))
      problems.push(
        `column ${index + 1} '${column}' is not a usable name: use lower-case letters, digits and underscores, starting with a letter`,
      );
    else if (columns.indexOf(column) !== index)
      problems.push(`column '${column}' appears more than once`);
  });
  if (problems.length > 0) throw new ParticipantsFileError(`line 1: ${problems.join('; ')}`);
  return columns;
}

function readRow(
  line: number,
  fields: readonly string[],
  columns: readonly string[],
  flow: Flow,
): Participant | RejectedRow {
  const reject = (reason: string): RejectedRow => ({ line, reason });
  if (fields.length !== columns.length)
    return reject(`has ${fields.length} fields; the header has ${columns.length}`);
  const value = new Map(columns.map((column, index) => [column, (fields[index] ?? '').trim()]));
  const long = columns.find((column) => (value.get(column) ?? '').length > MAX_VALUE_LENGTH);
  if (long !== undefined) return reject(`${long} is longer than ${MAX_VALUE_LENGTH} characters`);
  const address = readAddress(value.get('address') ?? '');
  if (!address.ok) return reject(address.reason);
  const language = (value.get('language') ?? '').toLowerCase() || undefined;
  if (language !== undefined && !flow.languages.includes(language))
    return reject(`language '${language}' is not one of the flow's: ${flow.languages.join(', ')}`);
  const variant = (value.get('variant') ?? '').toLowerCase() || 'standard';
  if (variant !== 'standard' && variant !== 'plain')
    return reject(`variant '${variant}' is not standard or plain`);
  if (!flow.variants.includes(variant)) return reject(`the flow has no ${variant} variant`);
  const role = value.get('role') || undefined;
  if (role !== undefined && !flow.roles.includes(role))
    return reject(`role '${role}' is not one of the flow's: ${flow.roles.join(', ') || '(none)'}`);
  const params = Object.fromEntries(
    columns
      .filter((column) => !isKnown(column) || column === 'name')
      .map((column) => [column, value.get(column) ?? ''])
      .filter(([, text]) => text !== ''),
  );
  return { line, address: address.address, language, variant, role, params };
}

function isKnown(column: string): boolean {
  return (KNOWN_COLUMNS as readonly string[]).includes(column);
}
