import { randomUUID } from 'node:crypto';
import { ManualClock } from '@keycard/common';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { AuditEventEntity } from './audit-event.entity';
import type { AuditRecord } from './audit-events';
import { AuditEventType } from './audit-events';
import { AUDIT_COUNT_LIMIT, AuditQueryService } from './audit-query.service';
import { AuditEventWriter } from './audit-event.writer';
import { AuditService } from './audit.service';

const START = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

describe.each(databaseBackends())('audit trail on $name', (backend) => {
  let db: OpenDatabase;
  let clock: ManualClock;
  let audit: AuditService;
  let query: AuditQueryService;

  beforeAll(async () => {
    db = await backend.open([AuditEventEntity]);
  });
  afterAll(() => db.close());

  beforeEach(async () => {
    await db.dataSource.getRepository(AuditEventEntity).clear();
    clock = new ManualClock(START);
    const repository = db.dataSource.getRepository(AuditEventEntity);
    audit = new AuditService(repository, new AuditEventWriter(repository), clock);
    query = new AuditQueryService(repository);
    const events: AuditRecord[] = [
      {
        type: AuditEventType.LoginFailure,
        outcome: 'failure',
        subjectId: 'u1',
        details: { reason: 'invalid_credentials' },
      },
      {
        type: AuditEventType.LoginSuccess,
        outcome: 'success',
        actor: { type: 'user', id: 'u1' },
        subjectId: 'u1',
      },
      {
        type: AuditEventType.ApiKeyCreated,
        outcome: 'success',
        actor: { type: 'user', id: 'u1' },
        subjectId: 'k1',
      },
      {
        type: AuditEventType.KeysRotated,
        outcome: 'success',
        actor: { type: 'system', id: null },
        subjectId: 'kid1',
      },
      {
        type: AuditEventType.UserRolesChanged,
        outcome: 'success',
        actor: { type: 'user', id: 'admin' },
        subjectId: 'u1',
        details: { before: ['user'], after: ['admin', 'user'] },
      },
    ];
    for (const event of events) {
      await audit.record({ ...event, ip: '198.51.100.7', userAgent: 'agent' });
      clock.advance(MINUTE);
    }
  });

  // PostgreSQL only: its schema comes from migrations, which this compares with the entity;
  // SQLite's schema is built from the entities themselves, so there is nothing to compare.
  if (backend.name === 'postgres') {
    it('has a migration that matches the entity', async () => {
      const pending = await db.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    });
  }

  it('lists newest first with every field, details included', async () => {
    const page = await query.list({}, 1, 50);
    expect(page.total).toBe(5);
    expect(page.items.map((e) => e.type)).toEqual([
      'user.roles_changed',
      'keys.rotated',
      'api_key.created',
      'auth.login.success',
      'auth.login.failure',
    ]);
    expect(page.items[0]).toEqual({
      id: expect.any(String),
      at: new Date(START + 4 * MINUTE).toISOString(),
      type: 'user.roles_changed',
      outcome: 'success',
      actorId: 'admin',
      actorType: 'user',
      subjectId: 'u1',
      ip: '198.51.100.7',
      userAgent: 'agent',
      details: { before: ['user'], after: ['admin', 'user'] },
    });
    expect(page.items[4]).toMatchObject({
      actorId: null,
      actorType: null,
      details: { reason: 'invalid_credentials' },
    });
  });

  it.each([
    [{ type: 'auth.*' }, ['auth.login.success', 'auth.login.failure']],
    [{ type: 'auth.login.success' }, ['auth.login.success']],
    [{ type: 'auth.login' }, []],
    [{ outcome: 'failure' as const }, ['auth.login.failure']],
    [{ actorId: 'u1' }, ['api_key.created', 'auth.login.success']],
    [{ subjectId: 'u1' }, ['user.roles_changed', 'auth.login.success', 'auth.login.failure']],
    [
      { from: START + MINUTE, to: START + 3 * MINUTE },
      ['keys.rotated', 'api_key.created', 'auth.login.success'],
    ],
    [{ type: 'auth.*', outcome: 'success' as const, actorId: 'u1' }, ['auth.login.success']],
  ])('filters by %o', async (filter, types) => {
    const page = await query.list(filter, 1, 50);
    expect(page.items.map((e) => e.type)).toEqual(types);
    expect(page.total).toBe(types.length);
  });

  it('treats _ and % in a type prefix literally', async () => {
    await db.dataSource.getRepository(AuditEventEntity).insert({
      id: randomUUID(),
      at: clock.now(),
      type: 'apiXkey.created',
      outcome: 'success',
      actorId: null,
      actorType: null,
      subjectId: null,
      ip: null,
      userAgent: null,
      details: null,
    });
    expect((await query.list({ type: 'api_key.*' }, 1, 50)).items.map((e) => e.type)).toEqual([
      'api_key.created',
    ]);
  });

  it('pages with a stable order and the full total', async () => {
    const first = await query.list({}, 1, 2);
    const third = await query.list({}, 3, 2);
    expect(first).toMatchObject({ page: 1, pageSize: 2, total: 5, totalCapped: false });
    expect(first.items.map((e) => e.type)).toEqual(['user.roles_changed', 'keys.rotated']);
    expect(third.items.map((e) => e.type)).toEqual(['auth.login.failure']);
    expect((await query.list({}, 4, 2)).items).toEqual([]);
  });

  it('counts up to 1,000 matches, or up to the end of a later page', async () => {
    // The five events above, and enough logins to pass the limit by five.
    const extra = AUDIT_COUNT_LIMIT;
    const rows = Array.from({ length: extra }, (_, i) => ({
      id: randomUUID(),
      at: START + 10 * MINUTE + i,
      type: 'auth.login.success',
      outcome: 'success' as const,
      actorId: 'bulk',
      actorType: 'user' as const,
      subjectId: 'bulk',
      ip: null,
      userAgent: null,
      details: null,
    }));
    const repository = db.dataSource.getRepository(AuditEventEntity);
    for (let i = 0; i < rows.length; i += 100) await repository.insert(rows.slice(i, i + 100));
    const matches = extra + 5;

    const first = await query.list({}, 1, 50);
    expect(first).toMatchObject({ total: AUDIT_COUNT_LIMIT, totalCapped: true });
    expect(first.items).toHaveLength(50);
    // The page that ends at the limit: more match beyond it.
    expect(await query.list({}, 20, 50)).toMatchObject({
      total: AUDIT_COUNT_LIMIT,
      totalCapped: true,
    });
    // A later page counts to its own end, so the last page knows it is the last.
    const last = await query.list({}, 21, 50);
    expect(last).toMatchObject({ total: matches, totalCapped: false });
    expect(last.items).toHaveLength(matches - 20 * 50);
    expect(last.items.at(-1)?.type).toBe('auth.login.failure');
    // Filters are counted the same way, exactly when few match.
    expect(await query.list({ actorId: 'u1' }, 1, 50)).toMatchObject({
      total: 2,
      totalCapped: false,
    });
    expect(await query.list({ actorId: 'bulk' }, 1, 50)).toMatchObject({
      total: AUDIT_COUNT_LIMIT,
      totalCapped: false,
    });
    expect(await query.list({ type: 'auth.*' }, 1, 50)).toMatchObject({
      total: AUDIT_COUNT_LIMIT,
      totalCapped: true,
    });
  });

  it('prunes events older than a cut-off', async () => {
    expect(await audit.prune(START + 2 * MINUTE)).toBe(2);
    expect((await query.list({}, 1, 50)).total).toBe(3);
  });
});
