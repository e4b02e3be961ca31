import { randomUUID } from 'node:crypto';
import { ManualClock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { Registry } from 'prom-client';
import { EntityManager } from 'typeorm';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { AUTH_ENTITIES } from '../database/entities';
import { GoogleGrantEntity } from '../google/google-grant.entity';
import { SessionEntity } from '../sessions/session.entity';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { testAuthConfig } from '../testing/test-config';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { AUTH_RETENTION_LOCK, RetentionService } from './retention.service';

jest.setTimeout(60_000);

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe.each(databaseBackends())('retention job on $name', (backend) => {
  let db: OpenDatabase;
  let clock: ManualClock;
  let now: number;
  let metrics: KeycardMetrics;

  const repo = <T extends object>(entity: new () => T) => db.dataSource.getRepository(entity);
  const ids = async (entity: new () => { id: string }) =>
    (await repo(entity).find()).map((row) => row.id).sort();

  function retention(env: Record<string, string> = {}): RetentionService {
    const config = testAuthConfig({
      RETENTION_BATCH_SIZE: '2',
      REFRESH_REUSE_INTERVAL: '10s',
      AUDIT_RETENTION: '90d',
      ...env,
    });
    return new RetentionService(db.dataSource, clock, config, config.retention, metrics);
  }

  async function family(id: string, createdAt: number, revokedAt: number | null = null) {
    await repo(RefreshFamilyEntity).insert({
      id,
      userId: 'user-1',
      clientId: null,
      scope: '',
      createdAt,
      revokedAt,
      revokeReason: revokedAt === null ? null : 'logout',
    });
  }

  /** A token of `familyId` expiring at `expiresAt`; rotated unless `head`. */
  async function token(id: string, familyId: string, expiresAt: number, head = false) {
    await repo(RefreshTokenEntity).insert({
      id,
      familyId,
      tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      parentId: null,
      createdAt: expiresAt - 7 * DAY,
      expiresAt,
      rotatedAt: head ? null : expiresAt - 7 * DAY + MINUTE,
      successorId: null,
      successorSealed: null,
    });
  }

  async function session(id: string, idleExpiresAt: number, expiresAt: number) {
    await repo(SessionEntity).insert({
      id,
      tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      userId: 'user-1',
      createdAt: now - DAY,
      lastSeenAt: now - DAY,
      idleExpiresAt,
      expiresAt,
      userAgent: 'spec',
      ip: '127.0.0.1',
      csrfToken: 'c'.repeat(43),
    });
  }

  async function grant(keyHash: string, expiresAt: number) {
    await repo(GoogleGrantEntity).insert({
      keyHash,
      kind: 'transaction',
      payload: { nonce: 'n' },
      createdAt: expiresAt - 10 * MINUTE,
      expiresAt,
    });
  }

  async function auditEvent(id: string, at: number) {
    await repo(AuditEventEntity).insert({
      id,
      at,
      type: 'auth.login.success',
      outcome: 'success',
      actorId: null,
      actorType: null,
      subjectId: null,
      ip: null,
      userAgent: null,
      details: null,
    });
  }

  /** Every kind of row, on both sides of each rule's line (names say which side). */
  async function seed(): Promise<void> {
    // A live login rotated three times: the rotated tokens it still needs for reuse detection stay.
    await family('live', now - 30 * DAY);
    await token('live-rotated-expired-long-ago', 'live', now - 2 * HOUR);
    await token('live-rotated-expired-recently', 'live', now - 30 * MINUTE);
    await token('live-rotated-unexpired', 'live', now + 10 * MINUTE);
    await token('live-head', 'live', now + 50 * MINUTE, true);
    // Revoked over an hour ago: all of it goes, unexpired tokens included.
    await family('revoked-long-ago', now - 2 * DAY, now - 2 * HOUR);
    await token('revoked-long-ago-rotated', 'revoked-long-ago', now + 5 * DAY);
    await token('revoked-long-ago-head', 'revoked-long-ago', now + 6 * DAY, true);
    // Revoked within the settle time: kept for now.
    await family('revoked-recently', now - 2 * DAY, now - 10 * MINUTE);
    await token('revoked-recently-head', 'revoked-recently', now + 6 * DAY, true);
    // Its newest token expired over an hour ago: the whole login goes.
    await family('expired-long-ago', now - 9 * DAY);
    await token('expired-long-ago-rotated', 'expired-long-ago', now - 3 * HOUR);
    await token('expired-long-ago-head', 'expired-long-ago', now - 2 * HOUR, true);
    // Expired within the settle time: kept for now.
    await family('expired-recently', now - 9 * DAY);
    await token('expired-recently-head', 'expired-recently', now - 30 * MINUTE, true);
    // A family without a token (a crash between the two inserts): goes once it is old.
    await family('empty-old', now - 2 * HOUR);
    await family('empty-new', now - MINUTE);

    await session('session-live', now + 10 * MINUTE, now + 5 * HOUR);
    await session('session-idle-ended', now - MINUTE, now + 5 * HOUR);
    await session('session-absolute-ended', now - 5 * MINUTE, now - 5 * MINUTE);

    await grant('grant-expired', now - 1);
    await grant('grant-live', now + 5 * MINUTE);

    for (let i = 0; i < 5; i++) await auditEvent(`audit-old-${i}`, now - 91 * DAY);
    await auditEvent('audit-recent-0', now - 89 * DAY);
    await auditEvent('audit-recent-1', now - HOUR);
  }

  beforeEach(async () => {
    db = await backend.open(AUTH_ENTITIES);
    clock = new ManualClock(Date.UTC(2026, 5, 1));
    now = clock.now();
    metrics = new KeycardMetrics(new Registry());
    await seed();
  });

  afterEach(() => db.close());

  it('deletes exactly what no request can use any more, and keeps the rest', async () => {
    const result = await retention().run();

    expect(await ids(RefreshFamilyEntity)).toEqual(
      ['empty-new', 'expired-recently', 'live', 'revoked-recently'].sort(),
    );
    expect(await ids(RefreshTokenEntity)).toEqual(
      [
        'expired-recently-head',
        'live-head',
        'live-rotated-expired-recently',
        'live-rotated-unexpired',
        'revoked-recently-head',
      ].sort(),
    );
    expect(await ids(SessionEntity)).toEqual(['session-live']);
    expect((await repo(GoogleGrantEntity).find()).map((row) => row.keyHash)).toEqual([
      'grant-live',
    ]);
    expect(await ids(AuditEventEntity)).toEqual(['audit-recent-0', 'audit-recent-1']);

    expect(result).toEqual({
      outcome: 'done',
      deleted: {
        refresh_tokens: 5,
        refresh_families: 3,
        sessions: 2,
        google_grants: 1,
        audit_events: 5,
        account_tokens: 0,
        mail_outbox: 0,
        oidc_codes: 0,
        oidc_pending_requests: 0,
      },
      // Two rows a statement: 1 + 2 token batches, 4 windows over the 7 families (their rule has
      // no index: each statement reads one window of keys), 1 session, 1 grant, 3 audit.
      batches: 12,
      busyMs: expect.any(Number) as number,
      restedMs: expect.any(Number) as number,
    });
    // The default duty cycle, a quarter: each batch but the last of its rule is followed by a
    // rest of three times its time.
    expect(result.restedMs).toBeGreaterThan(0);
    expect(result.restedMs).toBeLessThanOrEqual(3 * result.busyMs);
  });

  it('keeps the live family able to detect the reuse of its rotated, unexpired token', async () => {
    await retention().run();
    const rotated = await repo(RefreshTokenEntity).findOneByOrFail({
      id: 'live-rotated-unexpired',
    });
    expect(rotated.rotatedAt).not.toBeNull();
    expect(await repo(RefreshFamilyEntity).findOneByOrFail({ id: 'live' })).toMatchObject({
      revokedAt: null,
    });
  });

  it('counts the rows removed per table in keycard_retention_rows_deleted_total', async () => {
    await retention().run();
    const text = await metrics.scrape();
    const value = (table: string) =>
      Number(
        new RegExp(`^keycard_retention_rows_deleted_total\\{table="${table}"\\} (\\d+)$`, 'm').exec(
          text,
        )?.[1],
      );
    expect(value('refresh_tokens')).toBe(5);
    expect(value('refresh_families')).toBe(3);
    expect(value('sessions')).toBe(2);
    expect(value('google_grants')).toBe(1);
    expect(value('audit_events')).toBe(5);
  });

  it('rests between batches so that its statements take RETENTION_DUTY_CYCLE of the run', async () => {
    const flat = await retention({ RETENTION_DUTY_CYCLE: '1' }).run();
    expect(flat.batches).toBeGreaterThan(3);
    expect(flat.restedMs).toBe(0);
    await db.close();
    db = await backend.open(AUTH_ENTITIES);
    await seed();
    const started = performance.now();
    const half = await retention({ RETENTION_DUTY_CYCLE: '0.5' }).run();
    const elapsed = performance.now() - started;
    expect(half.deleted).toEqual(flat.deleted);
    // At one half, each batch but the last is followed by a rest as long as it took.
    expect(half.restedMs).toBeGreaterThan(0);
    expect(half.restedMs).toBeLessThanOrEqual(half.busyMs);
    // The rests were waited, not only counted (a rest under 1 ms is one turn of the event loop).
    expect(elapsed).toBeGreaterThanOrEqual(half.busyMs + half.restedMs * 0.5);
  });

  it('stops in the middle of a rest at once', async () => {
    const job = retention({ RETENTION_DUTY_CYCLE: '0.01' }); // a rest 99 times its batch
    const deletedSoFar = async () =>
      [...(await metrics.scrape()).matchAll(/^keycard_retention_rows_deleted_total\{.*\} (\d+)$/gm)]
        .map((m) => Number(m[1]))
        .reduce((sum, n) => sum + n, 0);
    const started = performance.now();
    const running = job.run();
    while ((await deletedSoFar()) === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    await job.stop();
    const elapsed = performance.now() - started;
    const result = await running;
    expect(result.batches).toBeGreaterThanOrEqual(1);
    // The rest it was in counts whole in restedMs; the run ended long before it would have.
    expect(elapsed).toBeLessThan(result.restedMs);
  });

  it('deletes nothing more on a second run, and what has since ended on a later one', async () => {
    const job = retention();
    await job.run();
    const again = await job.run();
    expect(Object.values(again.deleted).every((count) => count === 0)).toBe(true);
    // Only the walk over the 4 families left (2 windows of 2) ran a statement; nothing matched.
    expect(again.batches).toBe(2);
    clock.advance(HOUR + 15 * MINUTE);
    const later = await job.run();
    // The recent revocation, the recent expiry and the live family's rotated token (expired five
    // minutes after the first run) have now settled for an hour; the live family keeps its head.
    expect(later.deleted).toMatchObject({ refresh_tokens: 4, refresh_families: 3 });
    expect(await ids(RefreshFamilyEntity)).toEqual(['live']);
    expect(await ids(RefreshTokenEntity)).toEqual(['live-head']);
  });

  it('takes every expired token when many share one expiry across batches (walked by expires_at)', async () => {
    await family('burst', now - 9 * DAY);
    for (let i = 0; i < 5; i++) await token(`burst-${i}`, 'burst', now - 2 * HOUR);
    await token('burst-head', 'burst', now + 5 * MINUTE, true);
    await retention().run();
    const left = await ids(RefreshTokenEntity);
    expect(left.filter((id) => id.startsWith('burst'))).toEqual(['burst-head']);
  });

  it('walks families one window of keys at a time, taking the empty ones of every window', async () => {
    // Keys sort full, empty, full, empty…: empty old families sit in every window of two.
    for (let i = 0; i < 6; i++) {
      const id = `window-${i}`;
      await family(id, now - 2 * DAY);
      if (i % 2 === 0) await token(`${id}-head`, id, now + DAY, true);
    }
    await retention().run();
    const left = (await ids(RefreshFamilyEntity)).filter((id) => id.startsWith('window'));
    expect(left).toEqual(['window-0', 'window-2', 'window-4']);
  });

  it('keeps audit events for AUDIT_RETENTION', async () => {
    await retention({ AUDIT_RETENTION: '30d' }).run();
    expect(await ids(AuditEventEntity)).toEqual(['audit-recent-1']);
  });

  it('waits REFRESH_REUSE_INTERVAL when it is longer than the settle hour', async () => {
    await retention({ REFRESH_REUSE_INTERVAL: '3h' }).run();
    expect(await ids(RefreshFamilyEntity)).toContain('revoked-long-ago');
    expect(await ids(RefreshFamilyEntity)).toContain('expired-long-ago');
  });

  it('does not overlap runs on one instance', async () => {
    const job = retention();
    const [first, second] = await Promise.all([job.run(), job.run()]);
    expect([first.outcome, second.outcome]).toEqual(['done', 'busy']);
    expect(second.batches).toBe(0);
  });

  it('never throws: a failure is reported and the next run tries again', async () => {
    const job = retention();
    const query = jest
      .spyOn(EntityManager.prototype, 'query')
      .mockRejectedValueOnce(new Error('database down'));
    expect((await job.run()).outcome).toBe('failed');
    query.mockRestore();
    expect((await job.run()).deleted.audit_events).toBe(5);
  });

  if (backend.name === 'postgres') {
    it('skips the run while another instance holds the advisory lock', async () => {
      const other = db.dataSource.createQueryRunner();
      await other.connect();
      try {
        await other.query('SELECT pg_advisory_lock($1)', [AUTH_RETENTION_LOCK]);
        const skipped = await retention().run();
        expect(skipped.outcome).toBe('locked');
        expect(skipped.batches).toBe(0);
        expect(await ids(AuditEventEntity)).toHaveLength(7);
        await other.query('SELECT pg_advisory_unlock($1)', [AUTH_RETENTION_LOCK]);
        expect((await retention().run()).outcome).toBe('done');
        expect(await ids(AuditEventEntity)).toHaveLength(2);
      } finally {
        await other.release();
      }
    });

    it('lets one of two instances starting together run, and the other skip', async () => {
      const first = retention();
      const second = retention();
      // The first one's run is held inside its lock until the second has tried.
      let entered!: () => void;
      let release!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const held = new Promise<void>((resolve) => (release = resolve));
      type PurgeAll = (...args: unknown[]) => Promise<unknown>;
      const target = first as unknown as { purgeAll: PurgeAll };
      const purgeAll = target.purgeAll.bind(first);
      jest.spyOn(target, 'purgeAll').mockImplementationOnce(async (...args: unknown[]) => {
        entered();
        await held;
        return purgeAll(...args);
      });
      const running = first.run();
      await inside;
      const skipped = await second.run();
      release();
      expect(skipped.outcome).toBe('locked');
      expect((await running).outcome).toBe('done');
    });
  }
});
