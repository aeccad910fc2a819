import type { Redis } from 'ioredis';

/** A Lua script registered with ioredis: called with its keys, then its arguments. */
export type LuaCommand = (...keysThenArgs: (string | number)[]) => Promise<unknown>;

/** A script to register: the method name ioredis gives it, its number of keys and its body. */
export interface LuaScript {
  readonly name: string;
  readonly keys: number;
  readonly lua: string;
  readonly readOnly: boolean;
}

/**
 * Lua that sets `now` to Redis TIME in milliseconds. Redis's clock, not the caller's: every
 * process then agrees on when a lease or a message id lapses. A script that writes after
 * reading TIME needs Redis 5 or later.
 */
export const REDIS_NOW_MS = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
`;

/**
 * Registers a script (sent as EVALSHA; ioredis falls back to EVAL when Redis has not seen it)
 * and returns it typed: `defineCommand` adds an untyped method to the client.
 */
export function defineLuaCommand(redis: Redis, script: LuaScript): LuaCommand {
  redis.defineCommand(script.name, {
    numberOfKeys: script.keys,
    lua: script.lua,
    readOnly: script.readOnly,
  });
  const method: unknown = Reflect.get(redis, script.name);
  if (typeof method !== 'function') throw new Error(`ioredis did not define ${script.name}`);
  return (...keysThenArgs) => Promise.resolve(method.apply(redis, keysThenArgs) as unknown);
}

/** Registers each script of a table and returns them by the same names. */
export function defineLuaCommands<Name extends string>(
  redis: Redis,
  scripts: Readonly<Record<Name, LuaScript>>,
): Record<Name, LuaCommand> {
  const entries = Object.entries<LuaScript>(scripts).map(
    ([name, script]) => [name, defineLuaCommand(redis, script)] as const,
  );
  return Object.fromEntries(entries) as Record<Name, LuaCommand>;
}
