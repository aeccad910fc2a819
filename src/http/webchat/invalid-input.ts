import type { z } from 'zod';

/**
 * A request the caller must change before it can succeed: the HTTP shell answers it with
 * 400 and the message, and never logs the body that caused it.
 */
export class InvalidInputError extends Error {
  readonly code = 'invalid_input';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InvalidInputError';
  }
}

/**
 * Parses untrusted input or throws an `InvalidInputError` naming the fields at fault.
 * Only paths and zod's messages are reported, never the values sent.
 */
export function parseInput<Schema extends z.ZodType>(
  schema: Schema,
  input: unknown,
  what: string,
): z.infer<Schema> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) =>
    issue.path.length === 0 ? issue.message : `${issue.path.join('.')}: ${issue.message}`,
  );
  throw new InvalidInputError(`invalid ${what}: ${problems.join('; ')}`, { cause: parsed.error });
}
