import type { Clock } from '@keycard/common';
import { decodeAmr, encodeAmr } from '../auth-context/sign-in-context';
import type { RedisClient } from '../redis/redis.client';
import {
  CREATE_SCRIPT,
  DESTROY_ALL_SCRIPT,
  DESTROY_SCRIPT,
  LIST_SCRIPT,
  RedisScript,
  TOUCH_SCRIPT,
} from './redis-session.scripts';
import type { SessionRecord } from './session.store';
import { isSessionLive, SessionStore } from './session.store';

const create = new RedisScript(CREATE_SCRIPT);
const touch = new RedisScript(TOUCH_SCRIPT);
const destroy = new RedisScript(DESTROY_SCRIPT);
const list = new RedisScript(LIST_SCRIPT);
const destroyAll = new RedisScript(DESTROY_ALL_SCRIPT);

const NUMBER_FIELDS = ['createdAt', 'lastSeenAt', 'idleExpiresAt', 'expiresAt'] as const;
const TEXT_FIELDS = ['id', 'tokenHash', 'userId', 'userAgent', 'ip', 'csrfToken'] as const;

/** A stored hash back into a record; null for anything incomplete (a half-expired leftover). */
export function recordFromHash(hash: Record<string, string>): SessionRecord | null {
  const record: Partial<Record<keyof SessionRecord, string | number>> = {};
  for (const field of TEXT_FIELDS) {
    if (typeof hash[field] !== 'string') return null;
    record[field] = hash[field];
  }
  for (const field of NUMBER_FIELDS) {
    const value = Number(hash[field]);
    if (!Number.isSafeInteger(value)) return null;
    record[field] = value;
  }
  // Sign-in fields came later: a session written without them still reads (`sessionSignIn`).
  const authTime = Number(hash['authTime']);
  return {
    ...(record as SessionRecord),
    ...(hash['amr'] ? { amr: decodeAmr(hash['amr']) } : {}),
    ...(Number.isSafeInteger(authTime) && hash['authTime'] ? { authTime } : {}),
  };
}

function pairsToHash(pairs: unknown): Record<string, string> {
  const hash: Record<string, string> = {};
  if (!Array.isArray(pairs)) return hash;
  for (let i = 0; i + 1 < pairs.length; i += 2) hash[String(pairs[i])] = String(pairs[i + 1]);
  return hash;
}

function hashToPairs(record: SessionRecord): string[] {
  const pairs = [...TEXT_FIELDS, ...NUMBER_FIELDS].flatMap((field) => [
    field,
    String(record[field]),
  ]);
  if (record.amr !== undefined) pairs.push('amr', encodeAmr(record.amr));
  if (record.authTime !== undefined) pairs.push('authTime', String(record.authTime));
  return pairs;
}

/**
 * Sessions in Redis (when `REDIS_URL` is set), shared by every auth-service instance. Keys expire
 * on their own at min(idle end, absolute end); reads still check both ends against the injected
 * `Clock`, so the rules do not depend on Redis's timer. Layout and atomicity: see the scripts.
 */
export class RedisSessionStore extends SessionStore {
  constructor(
    private readonly client: RedisClient,
    private readonly clock: Clock,
    private readonly prefix = 'keycard:session:',
  ) {
    super();
  }

  async create(record: SessionRecord): Promise<void> {
    const now = this.clock.now();
    const ttl = Math.min(record.idleExpiresAt, record.expiresAt) - now;
    if (ttl <= 0) return;
    const userSetTtl = Math.max(record.expiresAt - now, ttl);
    await create.run(
      this.client,
      [this.recordKey(record.tokenHash), this.handleKey(record.id), this.userKey(record.userId)],
      [String(ttl), String(userSetTtl), record.id, record.tokenHash, ...hashToPairs(record)],
    );
  }

  async get(tokenHash: string): Promise<SessionRecord | null> {
    const record = recordFromHash(await this.client.hGetAll(this.recordKey(tokenHash)));
    if (!record) return null;
    if (!isSessionLive(record, this.clock.now())) {
      await this.destroy(record.id, record.userId);
      return null;
    }
    return record;
  }

  async getById(id: string): Promise<SessionRecord | null> {
    const tokenHash = await this.client.get(this.handleKey(id));
    return tokenHash === null ? null : this.get(tokenHash);
  }

  async touch(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<boolean> {
    const reply = await touch.run(
      this.client,
      [this.handleKey(id)],
      [this.prefix, String(this.clock.now()), String(lastSeenAt), String(idleExpiresAt)],
    );
    return Number(reply) === 1;
  }

  async destroy(id: string, userId: string): Promise<boolean> {
    const reply = await destroy.run(
      this.client,
      [this.handleKey(id), this.userKey(userId)],
      [this.prefix, id, userId],
    );
    return Number(reply) === 1;
  }

  async listByUser(userId: string): Promise<SessionRecord[]> {
    const reply = await list.run(this.client, [this.userKey(userId)], [this.prefix]);
    const now = this.clock.now();
    const records = (Array.isArray(reply) ? reply : [])
      .map((pairs) => recordFromHash(pairsToHash(pairs)))
      .filter((record): record is SessionRecord => record !== null && isSessionLive(record, now));
    return records.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  }

  async destroyAllForUser(userId: string): Promise<number> {
    return Number(await destroyAll.run(this.client, [this.userKey(userId)], [this.prefix]));
  }

  /**
   * Counts the handle keys with SCAN (never blocking Redis; O(sessions)). Keys expire with their
   * session's idle or absolute end, so only live sessions are counted.
   */
  async countLive(): Promise<number> {
    const seen = new Set<string>();
    // SCAN may return a key twice while Redis rehashes: count each once.
    for await (const keys of this.client.scanIterator({ MATCH: `${this.prefix}h:*`, COUNT: 1000 }))
      for (const key of keys) seen.add(key);
    return seen.size;
  }

  private recordKey(tokenHash: string): string {
    return `${this.prefix}t:${tokenHash}`;
  }

  private handleKey(id: string): string {
    return `${this.prefix}h:${id}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}u:${userId}`;
  }
}
