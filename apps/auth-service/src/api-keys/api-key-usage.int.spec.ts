import { randomUUID } from 'node:crypto';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { RECORDER_ENTITIES } from '../testing/test-recorders';
import { ApiKeyUsageEntity } from './api-key-usage.entity';
import { ApiKeyEntity } from './api-key.entity';
import type { ApiKeysKit } from './api-keys.test-kit';
import { ALICE, apiKeysKit } from './api-keys.test-kit';
import { DEFAULT_API_KEY_RATE_LIMIT } from './api-key-settings';

const DAY_MS = 86_400_000;

describe.each(databaseBackends())('API key usage on $name', (backend) => {
  let db: OpenDatabase;
  let kit: ApiKeysKit;

  beforeAll(async () => {
    db = await backend.open([ApiKeyEntity, ApiKeyUsageEntity, ...RECORDER_ENTITIES]);
  });
  afterAll(() => db.close());
  beforeEach(() => {
    kit = apiKeysKit(db.dataSource);
  });

  const iso = (ms: number) => new Date(ms).toISOString();

  it('adds up 20 concurrent reports exactly', async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'busy' });
    const at = iso(kit.clock.now());
    await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        kit.usage.record([
          { keyId: id, day: '2026-05-31', count: index + 1, lastUsedAt: at },
          { keyId: id, day: '2026-06-01', count: 1, lastUsedAt: at },
          { keyId: id, day: '2026-06-01', count: 2, lastUsedAt: at },
        ]),
      ),
    );
    expect(await kit.keys.usage(ALICE, id)).toEqual({
      id,
      days: [
        { day: '2026-05-31', count: 210 },
        { day: '2026-06-01', count: 60 },
      ],
    });
  });

  it('ignores lines for unknown keys and lines with no requests', async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'quiet' });
    const at = iso(kit.clock.now());
    await kit.usage.record([
      { keyId: randomUUID(), day: '2026-06-01', count: 5, lastUsedAt: at },
      { keyId: id, day: '2026-06-01', count: 0, lastUsedAt: at },
    ]);
    await kit.usage.record([]);
    expect((await kit.keys.usage(ALICE, id)).days).toEqual([]);
    expect(await db.dataSource.getRepository(ApiKeyUsageEntity).countBy({ keyId: id })).toBe(0);
  });

  it('moves lastUsedAt forward only, and never past now', async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'seen' });
    const now = kit.clock.now();
    const lastUsed = async () =>
      (await kit.keys.list(ALICE)).find((view) => view.id === id)?.lastUsedAt;
    const report = (at: number) =>
      kit.usage.record([{ keyId: id, day: '2026-06-01', count: 1, lastUsedAt: iso(at) }]);

    await report(now - 60_000);
    expect(await lastUsed()).toBe(iso(now - 60_000));
    await report(now - 120_000); // a late, older batch
    expect(await lastUsed()).toBe(iso(now - 60_000));
    await report(now - 1_000);
    expect(await lastUsed()).toBe(iso(now - 1_000));
    await report(now + 3_600_000); // a reporter with a fast clock
    expect(await lastUsed()).toBe(iso(now));
    await Promise.all(
      [5, 4, 3, 2, 1].map((minutes) => report(now + minutes * 60_000 - 10 * 60_000)),
    );
    expect(await lastUsed()).toBe(iso(now));
  });

  it('shows days oldest first', async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'days' });
    kit.clock.advance(45 * DAY_MS);
    const at = iso(kit.clock.now());
    await kit.usage.record(
      ['2026-07-15', '2026-06-01', '2026-06-15'].map((day) => ({
        keyId: id,
        day,
        count: 3,
        lastUsedAt: at,
      })),
    );
    const { days } = await kit.keys.usage(ALICE, id);
    expect(days.map((entry) => entry.day)).toEqual(['2026-06-01', '2026-06-15', '2026-07-15']);
  });

  // Issue 14, finding 6: a report may not claim more than the key's rate limit allows.
  it("clamps a day's count to what the key's limit allows, however many reports claim more", async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'forged', rateLimit: 2 });
    kit.clock.advance(2 * DAY_MS); // 2026-06-01 is now a whole past day
    const at = iso(kit.clock.now());
    const forged = { keyId: id, day: '2026-06-01', count: 199_999_999, lastUsedAt: at };
    await kit.usage.record([forged]);
    const wholeDay = (1440 + 1) * 2;
    expect((await kit.keys.usage(ALICE, id)).days).toEqual([
      { day: '2026-06-01', count: wholeDay },
    ]);
    await Promise.all(
      Array.from({ length: 10 }, () => kit.usage.record([{ ...forged, count: 500 }])),
    );
    expect((await kit.keys.usage(ALICE, id)).days).toEqual([
      { day: '2026-06-01', count: wholeDay },
    ]);
  });

  it('bounds today by the minutes gone, with the default limit for a key without its own', async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'today' });
    kit.clock.advance(10 * 60_000); // 00:10 on the key's first day
    const at = iso(kit.clock.now());
    await kit.usage.record([{ keyId: id, day: '2026-06-01', count: 1_000_000, lastUsedAt: at }]);
    // From creation (less the 5-minute skew, but not before midnight) to now plus the skew.
    const bound = (10 + 5 + 1) * DEFAULT_API_KEY_RATE_LIMIT;
    expect((await kit.keys.usage(ALICE, id)).days).toEqual([{ day: '2026-06-01', count: bound }]);
  });

  it('ignores days before the key existed and days still to come', async () => {
    const { id } = await kit.keys.create(ALICE, { name: 'timely' });
    const at = iso(kit.clock.now());
    await kit.usage.record(
      ['2026-05-30', '2026-06-02', '2027-01-01'].map((day) => ({
        keyId: id,
        day,
        count: 5,
        lastUsedAt: at,
      })),
    );
    expect((await kit.keys.usage(ALICE, id)).days).toEqual([]);
    expect(await db.dataSource.getRepository(ApiKeyUsageEntity).countBy({ keyId: id })).toBe(0);
  });
});
