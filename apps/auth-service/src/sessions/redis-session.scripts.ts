import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis/redis.client';

/*
 * The Redis session layout, for prefix P:
 *   P t:<tokenHash>  hash of the SessionRecord fields, TTL = min(idle end, absolute end) − now
 *   P h:<id>         the tokenHash of session <id> (revocation by handle), same TTL
 *   P u:<userId>     set of the user's session ids, TTL ≥ the longest absolute end among them
 * Every step that touches more than one key is one Lua script, so a session is never half
 * created or half destroyed, and listing or ending all of a user's sessions cannot race a login.
 * The scripts derive the t:/h: keys from the values they read, so they assume a single Redis
 * (not Cluster), like the rest of Keycard.
 */

/** KEYS: record, handle, user set. ARGV: ttlMs, userSetTtlMs, id, tokenHash, field, value, … */
export const CREATE_SCRIPT = `
redis.call('HSET', KEYS[1], unpack(ARGV, 5))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('SET', KEYS[2], ARGV[4], 'PX', ARGV[1])
redis.call('SADD', KEYS[3], ARGV[3])
local setTtl = redis.call('PTTL', KEYS[3])
if setTtl < tonumber(ARGV[2]) then
  redis.call('PEXPIRE', KEYS[3], ARGV[2])
end
return 1
`;

/** KEYS: handle. ARGV: prefix, now, lastSeenAt, idleExpiresAt. */
export const TOUCH_SCRIPT = `
local tokenHash = redis.call('GET', KEYS[1])
if not tokenHash then return 0 end
local record = ARGV[1] .. 't:' .. tokenHash
local expiresAt = tonumber(redis.call('HGET', record, 'expiresAt'))
local idleExpiresAt = tonumber(redis.call('HGET', record, 'idleExpiresAt'))
local now = tonumber(ARGV[2])
if not expiresAt or not idleExpiresAt or now >= expiresAt or now >= idleExpiresAt then return 0 end
local ttl = math.min(tonumber(ARGV[4]), expiresAt) - now
if ttl <= 0 then return 0 end
redis.call('HSET', record, 'lastSeenAt', ARGV[3], 'idleExpiresAt', ARGV[4])
redis.call('PEXPIRE', record, ttl)
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`;

/** KEYS: handle, user set. ARGV: prefix, id, userId. Only the owner's session is ended. */
export const DESTROY_SCRIPT = `
local tokenHash = redis.call('GET', KEYS[1])
if not tokenHash then
  redis.call('SREM', KEYS[2], ARGV[2])
  return 0
end
local record = ARGV[1] .. 't:' .. tokenHash
local owner = redis.call('HGET', record, 'userId')
if owner and owner ~= ARGV[3] then return 0 end
redis.call('DEL', record, KEYS[1])
redis.call('SREM', KEYS[2], ARGV[2])
if owner then return 1 end
return 0
`;

/** KEYS: user set. ARGV: prefix. Returns flat HGETALL arrays; drops ids whose session is gone. */
export const LIST_SCRIPT = `
local out = {}
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local tokenHash = redis.call('GET', ARGV[1] .. 'h:' .. id)
  local fields = {}
  if tokenHash then fields = redis.call('HGETALL', ARGV[1] .. 't:' .. tokenHash) end
  if #fields > 0 then
    table.insert(out, fields)
  else
    redis.call('SREM', KEYS[1], id)
  end
end
return out
`;

/** KEYS: user set. ARGV: prefix. */
export const DESTROY_ALL_SCRIPT = `
local count = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  local handle = ARGV[1] .. 'h:' .. id
  local tokenHash = redis.call('GET', handle)
  if tokenHash then
    count = count + redis.call('DEL', ARGV[1] .. 't:' .. tokenHash)
  end
  redis.call('DEL', handle)
end
redis.call('DEL', KEYS[1])
return count
`;

/** A Lua script run with EVALSHA, falling back to EVAL after a Redis restart or SCRIPT FLUSH. */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly source: string) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(client: RedisClient, keys: string[], args: string[]): Promise<unknown> {
    const options = { keys, arguments: args };
    try {
      return await client.evalSha(this.sha, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return client.eval(this.source, options);
    }
  }
}
