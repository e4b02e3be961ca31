import { createHash } from 'node:crypto';
import type { RedisClient } from '../redis';
import type { RateLimitResult } from './rate-limit.store';
import { RateLimitStore, secondsLeft } from './rate-limit.store';

/**
 * One atomic step: count the hit, start the window's expiry on its first hit, report the time
 * left. A key without expiry (PTTL -1: written by something else, or an older script) gets one,
 * so a counter can never lock a key out for good.
 */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return { count, ttl }
`;

/** DECR only a live counter above zero, so a release can never create or underflow a key. */
const RELEASE_SCRIPT = `
local count = tonumber(redis.call('GET', KEYS[1]) or '0')
if count > 0 then
  return redis.call('DECR', KEYS[1])
end
return 0
`;

const HIT_SCRIPT_SHA = createHash('sha1').update(HIT_SCRIPT).digest('hex');

/**
 * Fixed windows in Redis, shared by every instance: INCR, PEXPIRE and PTTL run as one Lua script,
 * so the count and the window's expiry can never get out of step, even across instances.
 */
export class RedisRateLimitStore extends RateLimitStore {
  constructor(
    private readonly client: RedisClient,
    private readonly prefix = 'keycard:ratelimit:',
  ) {
    super();
  }

  async hit(key: string, limit: number, windowSeconds: number): Promise<RateLimitResult> {
    const windowMs = Math.max(1, Math.round(windowSeconds * 1000));
    const reply = await this.runHitScript(this.prefix + key, windowMs);
    const [count, ttlMs] = parseReply(reply);
    return { allowed: count <= limit, count, retryAfterSeconds: secondsLeft(ttlMs) };
  }

  async release(key: string): Promise<void> {
    await this.client.eval(RELEASE_SCRIPT, { keys: [this.prefix + key] });
  }

  async reset(key: string): Promise<void> {
    await this.client.del(this.prefix + key);
  }

  /** EVALSHA, falling back to EVAL (which also caches the script) after a restart or flush. */
  private async runHitScript(key: string, windowMs: number): Promise<unknown> {
    const options = { keys: [key], arguments: [String(windowMs)] };
    try {
      return await this.client.evalSha(HIT_SCRIPT_SHA, options);
    } catch (error) {
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return this.client.eval(HIT_SCRIPT, options);
    }
  }
}

function parseReply(reply: unknown): [count: number, ttlMs: number] {
  if (Array.isArray(reply) && reply.length === 2) {
    const [count, ttl] = reply.map(Number);
    if (Number.isInteger(count) && Number.isInteger(ttl)) return [count, ttl];
  }
  throw new Error('Unexpected reply from the rate-limit script');
}
