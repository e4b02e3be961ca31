import { IsNull } from 'typeorm';
import { ManualClock } from '@keycard/common';
import type { RevocationEvent } from '@keycard/auth';
import { WriteFaultPoints } from '../database/atomic-writes';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { testAuthConfig } from '../testing/test-config';
import { RECORDER_ENTITIES, testRecorders } from '../testing/test-recorders';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { UserEntity } from '../users/user.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { REFRESH_FAULT_POINTS, RefreshTokensService } from '../tokens/refresh-tokens.service';
import { RevocationEventEntity } from './revocation-event.entity';
import { RevocationEvents } from './revocation-events.service';
import { RevocationFeed } from './revocation-feed';

/** Fails the write at `point`, as a crash of the process or of its connection would. */
function crashAt(point: string): WriteFaultPoints {
  return {
    reached(reached: string) {
      if (reached === point) throw new Error(`injected crash at ${point}`);
    },
  };
}

describe.each(databaseBackends())('revocation log on $name', (backend) => {
  let db: OpenDatabase;
  let clock: ManualClock;
  let feed: RevocationFeed;
  let events: RevocationEvents;

  beforeAll(async () => {
    // The refresh-token service reads the users table (a refresh reads the user with its token).
    db = await backend.open([
      UserEntity,
      RefreshFamilyEntity,
      RefreshTokenEntity,
      ...RECORDER_ENTITIES,
    ]);
  });
  afterAll(() => db.close());

  beforeEach(async () => {
    await db.dataSource.getRepository(RevocationEventEntity).clear();
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    feed = new RevocationFeed(db.dataSource, null, clock, testAuthConfig());
    events = new RevocationEvents(db.dataSource, testAuthConfig(), clock, feed);
    await feed.onApplicationBootstrap();
  });
  afterEach(() => feed.onApplicationShutdown());

  function tokens(faults?: WriteFaultPoints): RefreshTokensService {
    const { dataSource } = db;
    const { audit, metrics } = testRecorders(dataSource, clock);
    return new RefreshTokensService(
      dataSource.getRepository(RefreshFamilyEntity),
      dataSource.getRepository(RefreshTokenEntity),
      testAuthConfig(),
      clock,
      audit,
      metrics,
      faults ?? new WriteFaultPoints(),
      events,
    );
  }

  const logged = () => events.since(0, 100);
  const liveFamilies = (userId: string) =>
    db.dataSource.getRepository(RefreshFamilyEntity).countBy({ userId, revokedAt: IsNull() });

  it('writes a login revocation and its sid event together', async () => {
    const service = tokens();
    const { family } = await service.start('user-1');
    await service.revokeFamily(family.id, 'logout');
    expect(await service.isFamilyActive(family.id)).toBe(false);
    expect(await logged()).toEqual([
      expect.objectContaining({ kind: 'sid', subject: family.id, at: clock.now() }),
    ]);
  });

  it('a crash before the commit keeps neither the revocation nor its event', async () => {
    const { family } = await tokens().start('user-1');
    const crashing = tokens(crashAt(REFRESH_FAULT_POINTS.familyRevoked));
    await expect(crashing.revokeFamily(family.id, 'logout')).rejects.toThrow('injected crash');
    expect(await crashing.isFamilyActive(family.id)).toBe(true);
    expect(await logged()).toEqual([]);
    // Retried after the crash, both are written.
    await tokens().revokeFamily(family.id, 'logout');
    expect(await logged()).toHaveLength(1);
  });

  it('logs a family once: revoking it again (reuse after logout) writes no second event', async () => {
    const service = tokens();
    const { family } = await service.start('user-1');
    await service.revokeFamily(family.id, 'logout');
    await service.revokeFamily(family.id, 'reuse');
    expect(await logged()).toHaveLength(1);
  });

  it('logs every login of a user ended as one user_before event, or none on a crash', async () => {
    const service = tokens();
    await service.start('user-1');
    await service.start('user-1');
    await expect(
      tokens(crashAt(REFRESH_FAULT_POINTS.familyRevoked)).revokeAllForUser('user-1', 'logout_all'),
    ).rejects.toThrow('injected crash');
    expect(await logged()).toEqual([]);
    expect(await liveFamilies('user-1')).toBe(2);
    await service.revokeAllForUser('user-1', 'logout_all');
    expect(await logged()).toEqual([
      expect.objectContaining({ kind: 'user_before', subject: 'user-1' }),
    ]);
    expect(await liveFamilies('user-1')).toBe(0);
  });

  it('reads the log in order from a cursor, keeps events past the access-token lifetime, then prunes them', async () => {
    await events.record([{ kind: 'sid', subject: 'a' }]);
    await events.record([
      { kind: 'kid', subject: 'k1' },
      { kind: 'client', subject: 'app' },
    ]);
    const all = await logged();
    expect(all.map((e) => e.subject)).toEqual(['a', 'k1', 'app']);
    expect(all[1].id).toBeGreaterThan(all[0].id);
    expect((await events.since(all[0].id, 100)).map((e) => e.subject)).toEqual(['k1', 'app']);
    expect(all[0].expiresAt - all[0].at).toBeGreaterThanOrEqual(15 * 60_000);
    clock.set(all[0].expiresAt);
    expect(await events.since(0, 100)).toEqual([]);
    expect(await feed.prune()).toBe(0);
    clock.advance(1);
    expect(await feed.prune()).toBe(3);
  });

  it('tells subscribers of each committed event in log order, with the id before it', async () => {
    const seen: [RevocationEvent, number][] = [];
    feed.subscribe((event, after) => seen.push([event, after]));
    await events.record([{ kind: 'sid', subject: 'a' }]);
    await events.record([{ kind: 'sid', subject: 'b' }]);
    await until(() => seen.length === 2);
    expect(seen.map(([event]) => event.subject)).toEqual(['a', 'b']);
    expect(seen[1][1]).toBe(seen[0][0].id);
    expect(feed.head).toBe(seen[1][0].id);
  });

  it('starts from the head: a restarted instance does not replay old events to its subscribers', async () => {
    await events.record([{ kind: 'sid', subject: 'old' }]);
    const restarted = new RevocationFeed(db.dataSource, null, clock, testAuthConfig());
    await restarted.onApplicationBootstrap();
    const seen: string[] = [];
    restarted.subscribe((event) => seen.push(event.subject));
    // Another instance's event: no local poke, the poll (or a poke) reads it.
    await events.record([{ kind: 'sid', subject: 'new' }]);
    restarted.poke();
    await until(() => seen.length > 0);
    expect(seen).toEqual(['new']);
    await restarted.onApplicationShutdown();
  });

  // Skipped on SQLite: it has one writer at a time, so there is no open concurrent transaction
  // for a cursor to pass; the table lock this tests exists only on PostgreSQL.
  (backend.name === 'postgres' ? it : it.skip)(
    'PostgreSQL: writers commit in id order, so a cursor never passes a transaction still open',
    async () => {
      // A revocation transaction holds the log (its row written, not committed)…
      const open = db.dataSource.createQueryRunner();
      await open.connect();
      await open.startTransaction();
      for (const { query } of events.statements([{ kind: 'sid', subject: 'slow' }]))
        await open.query(query[0], query[1]);
      // …so a second one waits for it rather than drawing a later id and committing first.
      const second = events.record([{ kind: 'sid', subject: 'fast' }]);
      await untilAsync(async () => (await waitingOnLocks()) > 0);
      expect(await logged()).toEqual([]);
      await open.commitTransaction();
      await open.release();
      await second;
      expect((await logged()).map((event) => event.subject)).toEqual(['slow', 'fast']);
    },
  );

  /** Backends of this database waiting for a lock. */
  async function waitingOnLocks(): Promise<number> {
    const rows = (await db.dataSource.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database
       WHERE NOT l.granted AND d.datname = current_database()`,
    )) as { n: number }[];
    return rows[0].n;
  }

  it('a new token of a user never carries an iat inside the second of their revocation', async () => {
    clock.set(Date.UTC(2026, 5, 1, 12, 0, 0, 400));
    expect(events.issuedAtFloor('user-1')).toBeUndefined();
    await events.record([{ kind: 'user_before', subject: 'user-1' }]);
    expect(events.issuedAtFloor('user-1')).toBe(Date.UTC(2026, 5, 1, 12, 0, 1) / 1000);
    expect(events.issuedAtFloor('user-2')).toBeUndefined();
    clock.set(Date.UTC(2026, 5, 1, 12, 0, 1));
    expect(events.issuedAtFloor('user-1')).toBeUndefined();
  });
});

async function untilAsync(condition: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition never held');
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(condition()).toBe(true);
}
