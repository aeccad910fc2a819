import { RATE_HIT_LUA } from './redis-rate-limiter.js';
import { REDIS_NOW_MS, type LuaScript } from './redis-lua.js';
import { LEAVE_LUA, TURN_LUA } from './redis-turn.js';

/**
 * The Lua scripts behind RedisSessionStore, with what each takes in KEYS and ARGV. The store
 * passes them in this order; a change to one side must change the other.
 */

/**
 * Reading the session hash (redis-keys.ts). Needs `now`. `ids` is one string of fixed-width
 * entries, each a message id's 16 hex and its expiry (13 digits of ms), in the order they
 * came: one field costs far less than a field per id (the hash is no listpack: the JSON is
 * longer than a listpack value may be). A hash kept past its session's ttl, for its ids,
 * holds `exp`: the session is gone from then on. `seen` sets are only read: written before
 * ids moved into the hash, they lapse within the dedupe window.
 */
const SESSION_HASH_LUA = `
local ID_WIDTH = 29
local function id_at(ids, i)
  return string.sub(ids, i, i + 15), tonumber(string.sub(ids, i + 16, i + ID_WIDTH - 1))
end
local function live_json(session_key)
  local got = redis.call('HMGET', session_key, 'json', 'exp')
  if got[2] and tonumber(got[2]) <= now then return false end
  return got[1]
end
local function legacy_seen(seen_key, member)
  local until_ms = redis.call('ZSCORE', seen_key, member)
  return until_ms ~= false and tonumber(until_ms) > now
end
local function id_seen(session_key, seen_key, member)
  local ids = redis.call('HGET', session_key, 'ids') or ''
  for i = 1, #ids, ID_WIDTH do
    local id, until_ms = id_at(ids, i)
    if id == member and until_ms > now then return true end
  end
  return legacy_seen(seen_key, member)
end
`;

/**
 * KEYS: session, seen, optout, history, the participant's response index, the flow's
 * responses stream, the outbox stream, the flow's counters, the participant's queue, its
 * leases and a rate-limit window.
 * ARGV: expected revision ('' = nothing stored), new revision, json, ttl ms, message id's
 * member ('' = no message id), dedupe window ms, opted out (1/0), ended (1/0), history limit,
 * history ttl ms, record id ('' = no record), record json, flow id, counters to increment
 * (comma-separated field names, '' = none), the turn's token to give back ('' = keep it),
 * the window's ms, the events to count in it when the change is saved (0 = none) and the
 * most message ids to keep.
 * The duplicate check comes first: a provider's retry of a handled message is a duplicate,
 * not a conflict, even though its revision is stale by then. Lapsed ids are pruned here, and
 * the hash outlives a shorter (or no) session ttl while its ids are within their window. The
 * record, its index entry (for erasure), its outbox entry (for partners) and the counters are
 * written by the same script as the session, so a completed session never lacks its record.
 * The turn is given back whatever the outcome: this commit is the message's last word.
 * Answers { outcome, the window's count or false }. The flow's keys sit outside the
 * participant's hash slot: these scripts need one Redis primary, not a Cluster.
 */
const COMMIT_LUA = `${REDIS_NOW_MS}${SESSION_HASH_LUA}${LEAVE_LUA}${RATE_HIT_LUA}
local function save_session(member)
  local got = redis.call('HMGET', KEYS[1], 'rev', 'exp', 'ids')
  local stored, expiry, ids = got[1] or '', tonumber(got[2]), got[3] or ''
  local live = {}
  for i = 1, #ids, ID_WIDTH do
    local id, until_ms = id_at(ids, i)
    if until_ms > now then
      if id == member then return 'duplicate' end
      live[#live + 1] = string.sub(ids, i, i + ID_WIDTH - 1)
    end
  end
  if member ~= '' and legacy_seen(KEYS[2], member) then return 'duplicate' end
  if expiry and expiry <= now then stored = '' end
  if stored ~= ARGV[1] then return 'conflict' end
  if member ~= '' then
    live[#live + 1] = member .. string.format('%013.0f', now + tonumber(ARGV[6]))
  end
  local first = math.max(1, #live - tonumber(ARGV[18]) + 1)
  local horizon = 0
  for i = first, #live do
    local _, until_ms = id_at(live[i], 1)
    horizon = math.max(horizon, until_ms - now)
  end
  local ttl = tonumber(ARGV[4])
  local keep = math.max(ttl, horizon)
  if keep <= 0 then
    redis.call('DEL', KEYS[1])
    return 'saved'
  end
  local set, unset = {}, {}
  if ttl > 0 then
    set = { 'rev', ARGV[2], 'json', ARGV[3] }
  else
    unset = { 'rev', 'json' }
  end
  if first <= #live then
    set[#set + 1] = 'ids'
    set[#set + 1] = table.concat(live, '', first)
  elseif ids ~= '' then
    unset[#unset + 1] = 'ids'
  end
  if ttl > 0 and ttl < horizon then
    set[#set + 1] = 'exp'
    set[#set + 1] = string.format('%.0f', now + ttl)
  elseif expiry then
    unset[#unset + 1] = 'exp'
  end
  if #set > 0 then redis.call('HSET', KEYS[1], unpack(set)) end
  if #unset > 0 then redis.call('HDEL', KEYS[1], unpack(unset)) end
  redis.call('PEXPIRE', KEYS[1], string.format('%.0f', keep))
  return 'saved'
end
local function commit()
  local result = save_session(ARGV[5])
  if result ~= 'saved' then return result end
  if ARGV[7] == '1' then redis.call('SET', KEYS[3], '1') end
  if ARGV[8] == '1' then
    redis.call('LPUSH', KEYS[4], ARGV[3])
    redis.call('LTRIM', KEYS[4], 0, tonumber(ARGV[9]) - 1)
    redis.call('PEXPIRE', KEYS[4], ARGV[10])
  end
  if ARGV[11] ~= '' then
    local entry = redis.call('XADD', KEYS[6], '*', 'id', ARGV[11], 'r', ARGV[12])
    redis.call('SADD', KEYS[5], ARGV[13] .. ' ' .. entry)
    redis.call('XADD', KEYS[7], '*', 'r', ARGV[12])
  end
  for field in string.gmatch(ARGV[14], '[^,]+') do
    redis.call('HINCRBY', KEYS[8], field, 1)
  end
  return 'saved'
end
local result = commit()
if ARGV[15] ~= '' then leave(KEYS[9], KEYS[10], ARGV[15]) end
local count = false
if result == 'saved' and tonumber(ARGV[17]) > 0 then
  count = rate_hit(KEYS[11], ARGV[16], tonumber(ARGV[17]))
end
return { result, count }
`;

/** KEYS: session, seen. ARGV: member. 1 while the message id is within its window. */
const SEEN_LUA = `${REDIS_NOW_MS}${SESSION_HASH_LUA}
if id_seen(KEYS[1], KEYS[2], ARGV[1]) then return 1 end
return 0
`;

/** KEYS: session. The session's json, or false. */
const LOAD_LUA = `${REDIS_NOW_MS}${SESSION_HASH_LUA}
return live_json(KEYS[1])
`;

/**
 * { seen 1/0, opted out 1/0, session json or false, the window's count or false }; counts
 * `events` in the window unless 0. Needs `now`.
 */
const READ_OPENED_LUA = `${SESSION_HASH_LUA}${RATE_HIT_LUA}
local function read_opened(seen_key, optout_key, session_key, member, rate_key, window_ms, events)
  local seen = 0
  if member ~= '' and id_seen(session_key, seen_key, member) then seen = 1 end
  local count = false
  if events > 0 then count = rate_hit(rate_key, window_ms, events) end
  return { seen, redis.call('EXISTS', optout_key), live_json(session_key), count }
end
`;

/**
 * KEYS: seen, optout, session, a rate-limit window. ARGV: seen member ('' = no message id),
 * the window's ms, the events to count in it (0 = none).
 */
const OPEN_LUA = `${REDIS_NOW_MS}${READ_OPENED_LUA}
return read_opened(KEYS[1], KEYS[2], KEYS[3], ARGV[1], KEYS[4], ARGV[2], tonumber(ARGV[3]))
`;

/**
 * KEYS: seen, optout, session, queue, leases, a rate-limit window. ARGV: seen member, the
 * turn's token, lease ms, the window's ms, the events to count in it (0 = none). Joins the
 * participant's queue (redis-turn.ts); with the turn taken at once (the common case),
 * { 1, then what OPEN_LUA returns }; otherwise { 0 }, counting nothing, and the caller waits
 * for the turn, then opens again.
 */
const OPEN_IN_TURN_LUA = `${REDIS_NOW_MS}${TURN_LUA}${READ_OPENED_LUA}
local turn = join(KEYS[4], KEYS[5], ARGV[2], tonumber(ARGV[3]))
if turn ~= 1 then return { turn } end
local opened =
  read_opened(KEYS[1], KEYS[2], KEYS[3], ARGV[1], KEYS[6], ARGV[4], tonumber(ARGV[5]))
return { 1, opened[1], opened[2], opened[3], opened[4] }
`;

export const SESSION_COMMANDS = {
  commit: { name: 'carevoiceCommitSession', keys: 11, lua: COMMIT_LUA, readOnly: false },
  seen: { name: 'carevoiceSessionSeen', keys: 2, lua: SEEN_LUA, readOnly: true },
  load: { name: 'carevoiceLoadSession', keys: 1, lua: LOAD_LUA, readOnly: true },
  open: { name: 'carevoiceOpenSession', keys: 4, lua: OPEN_LUA, readOnly: false },
  openInTurn: {
    name: 'carevoiceOpenSessionInTurn',
    keys: 6,
    lua: OPEN_IN_TURN_LUA,
    readOnly: false,
  },
} as const satisfies Record<string, LuaScript>;
