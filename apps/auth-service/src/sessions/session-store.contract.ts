import { randomUUID } from 'node:crypto';
import type { ManualClock } from '@keycard/common';
import { randomToken, sha256Hex } from '@keycard/common';
import type { SessionRecord, SessionStore } from './session.store';

/** One store under test and the clock it reads. */
export interface SessionStoreHarness {
  store: SessionStore;
  clock: ManualClock;
}

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const ABSOLUTE = 24 * 60 * MINUTE;

/**
 * The behaviour every `SessionStore` must have. Each implementation's spec calls this with a
 * factory for a harness; users and sessions are unique per test, so a store may be shared.
 * Time only moves through the `ManualClock`: nothing here sleeps.
 */
export function describeSessionStoreContract(
  makeHarness: () => Promise<SessionStoreHarness>,
): void {
  describe('SessionStore contract', () => {
    let store: SessionStore;
    let clock: ManualClock;

    beforeEach(async () => {
      ({ store, clock } = await makeHarness());
    });

    function newSession(
      userId: string = randomUUID(),
      overrides: Partial<SessionRecord> = {},
    ): SessionRecord {
      const now = clock.now();
      return {
        id: randomUUID(),
        tokenHash: sha256Hex(randomToken()),
        userId,
        createdAt: now,
        lastSeenAt: now,
        idleExpiresAt: now + IDLE,
        expiresAt: now + ABSOLUTE,
        userAgent: 'Mozilla/5.0 (contract) "quoted" <ua>',
        ip: '2001:db8::1',
        csrfToken: randomToken(),
        ...overrides,
      };
    }

    async function created(userId?: string): Promise<SessionRecord> {
      const record = newSession(userId);
      await store.create(record);
      return record;
    }

    it('finds a new session by its token hash, every field intact', async () => {
      const record = await created();
      expect(await store.get(record.tokenHash)).toEqual(record);
    });

    it('finds nothing for an unknown hash, nor by the public id', async () => {
      const record = await created();
      expect(await store.get(sha256Hex(randomToken()))).toBeNull();
      expect(await store.get(record.id)).toBeNull();
    });

    it('finds a live session by its public id, and nothing once it ended or idled out', async () => {
      const record = await created();
      const other = await created(record.userId);
      expect(await store.getById(record.id)).toEqual(record);
      expect(await store.getById(record.tokenHash)).toBeNull();
      expect(await store.getById(randomUUID())).toBeNull();
      expect(await store.destroy(record.id, record.userId)).toBe(true);
      expect(await store.getById(record.id)).toBeNull();
      clock.advance(IDLE);
      expect(await store.getById(other.id)).toBeNull();
    });

    it('ends a session that sat idle until its idle end', async () => {
      const record = await created();
      clock.advance(IDLE - 1);
      expect(await store.get(record.tokenHash)).not.toBeNull();
      clock.advance(1);
      expect(await store.get(record.tokenHash)).toBeNull();
      expect(await store.listByUser(record.userId)).toEqual([]);
    });

    it('keeps a session that is touched alive past the first idle end', async () => {
      const record = await created();
      clock.advance(IDLE - MINUTE);
      const now = clock.now();
      expect(await store.touch(record.id, now, now + IDLE)).toBe(true);
      clock.advance(2 * MINUTE);
      expect(await store.get(record.tokenHash)).toMatchObject({
        lastSeenAt: now,
        idleExpiresAt: now + IDLE,
        expiresAt: record.expiresAt,
      });
    });

    it('ends a session at its absolute end however busy it is', async () => {
      const record = await created();
      for (let elapsed = 0; elapsed < ABSOLUTE - IDLE; elapsed += IDLE / 2) {
        clock.advance(IDLE / 2);
        expect(await store.touch(record.id, clock.now(), clock.now() + IDLE)).toBe(true);
      }
      clock.set(record.expiresAt - 1);
      expect(await store.get(record.tokenHash)).not.toBeNull();
      clock.set(record.expiresAt);
      expect(await store.get(record.tokenHash)).toBeNull();
      expect(await store.touch(record.id, clock.now(), clock.now() + IDLE)).toBe(false);
    });

    it('refuses to touch an unknown, destroyed or idle-expired session', async () => {
      expect(await store.touch(randomUUID(), clock.now(), clock.now() + IDLE)).toBe(false);
      const destroyed = await created();
      await store.destroy(destroyed.id, destroyed.userId);
      expect(await store.touch(destroyed.id, clock.now(), clock.now() + IDLE)).toBe(false);
      const idle = await created();
      clock.advance(IDLE);
      expect(await store.touch(idle.id, clock.now(), clock.now() + IDLE)).toBe(false);
      expect(await store.get(idle.tokenHash)).toBeNull();
    });

    it('destroys a session by its handle, for its owner only, once', async () => {
      const record = await created();
      expect(await store.destroy(record.id, randomUUID())).toBe(false);
      expect(await store.get(record.tokenHash)).toEqual(record);
      expect(await store.destroy(record.id, record.userId)).toBe(true);
      expect(await store.get(record.tokenHash)).toBeNull();
      expect(await store.destroy(record.id, record.userId)).toBe(false);
    });

    it('lists only the live sessions of the user, newest first', async () => {
      const userId = randomUUID();
      const first = await created(userId);
      clock.advance(MINUTE);
      const second = await created(userId);
      clock.advance(MINUTE);
      const third = await created(userId);
      const stranger = await created();
      await store.destroy(second.id, userId);
      const listed = await store.listByUser(userId);
      expect(listed).toEqual([third, first]);
      expect(await store.listByUser(stranger.userId)).toEqual([stranger]);
      expect(await store.listByUser(randomUUID())).toEqual([]);
    });

    it('counts the live sessions of every user, and no ended one', async () => {
      const before = await store.countLive();
      const kept = [await created(), await created()];
      const ended = await created(kept[0].userId);
      await store.destroy(ended.id, ended.userId);
      expect(await store.countLive()).toBe(before + kept.length);
      await store.destroyAllForUser(kept[1].userId);
      expect(await store.countLive()).toBe(before + 1);
    });

    it('destroys every session of one user and no one else', async () => {
      const userId = randomUUID();
      const mine = [await created(userId), await created(userId), await created(userId)];
      const other = await created();
      expect(await store.destroyAllForUser(userId)).toBe(3);
      for (const record of mine) expect(await store.get(record.tokenHash)).toBeNull();
      expect(await store.listByUser(userId)).toEqual([]);
      expect(await store.get(other.tokenHash)).toEqual(other);
      expect(await store.destroyAllForUser(userId)).toBe(0);
    });

    it('creates 20 sessions of one user concurrently, all listed', async () => {
      const userId = randomUUID();
      const records = Array.from({ length: 20 }, () => newSession(userId));
      await Promise.all(records.map((record) => store.create(record)));
      expect((await store.listByUser(userId)).map((r) => r.id).sort()).toEqual(
        records.map((r) => r.id).sort(),
      );
    });

    it('lets exactly one of 10 concurrent destroys of a session win', async () => {
      const record = await created();
      const results = await Promise.all(
        Array.from({ length: 10 }, () => store.destroy(record.id, record.userId)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('ends every session even while new ones of other users are created', async () => {
      const userId = randomUUID();
      await Promise.all(Array.from({ length: 5 }, () => created(userId)));
      const [count] = await Promise.all([
        store.destroyAllForUser(userId),
        ...Array.from({ length: 5 }, () => created()),
      ]);
      expect(count).toBe(5);
      expect(await store.listByUser(userId)).toEqual([]);
    });
  });
}
