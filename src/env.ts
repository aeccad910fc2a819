import type { z } from 'zod';

/** The environment with blank values treated as unset, as operators expect of `FOO=`. */
export function blankAsUnset(
  env: Readonly<Record<string, string | undefined>>,
): Record<string, string | undefined> {
  return Object.fromEntries(
    Object.entries(env).map(([key, value]) => [key, value === '' ? undefined : value]),
  );
}

/**
 * Parses settings with a schema whose fields carry their help as `.describe()`: the values,
 * or one line per problem naming the variable, what is wrong and what it is for.
 */
export function parseSettings<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  env: Readonly<Record<string, string | undefined>>,
): { readonly data: z.infer<z.ZodObject<Shape>> | undefined; readonly problems: string[] } {
  const parsed = schema.safeParse(env);
  if (parsed.success) return { data: parsed.data, problems: [] };
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    const field: unknown = Reflect.get(schema.shape, name);
    const help =
      typeof field === 'object' &&
      field !== null &&
      'description' in field &&
      typeof field.description === 'string'
        ? field.description
        : undefined;
    return `${name}: ${issue.message}${help === undefined ? '' : ` (${help})`}`;
  });
  return { data: undefined, problems };
}
