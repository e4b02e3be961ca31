import { DataSource } from 'typeorm';
import { ManualClock, sha256Hex } from '@keycard/common';
import { describeOnPostgres } from '@keycard/testing';
import type { OpenDatabase } from '../testing/database-backends';
import { migratedUpTo } from '../testing/database-backends';
import { testAuthConfig } from '../testing/test-config';
import { RECORDER_ENTITIES, testRecorders } from '../testing/test-recorders';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { UserEntity } from '../users/user.entity';
import { WriteFaultPoints } from './atomic-writes';
import { RefreshTokensNameRows1764300010000 } from './migrations/1764300010000-refresh-tokens-name-rows';

// Tokens issued before refresh tokens named their rows keep working after the migration, through
// the partial index that now holds only them. Needs PostgreSQL (SQLite follows the entities, and
// refresh-tokens.int.spec.ts covers older tokens there): skipped where TEST_DATABASE_URL is not
// set, as in `npm test` on a bare clone; CI's integration tier sets it and runs this.
describeOnPostgres('migration RefreshTokensNameRows1764300010000', (serverUrl) => {
  const NOW = Date.UTC(2026, 5, 1);
  const OLDER = `rt_${'k'.repeat(43)}`;
  let database: OpenDatabase;
  let dataSource: DataSource;
  let entities: DataSource | undefined;

  beforeAll(async () => {
    database = await migratedUpTo(serverUrl, RefreshTokensNameRows1764300010000, 'rt_name_rows');
    dataSource = database.dataSource;
    await dataSource.query(
      `INSERT INTO "users" ("id", "email", "name", "password_hash", "roles", "disabled", "created_at", "updated_at")
       VALUES ('u-1', 'older@example.test', NULL, NULL, '["user"]', false, $1, $1)`,
      [NOW],
    );
    await dataSource.query(
      `INSERT INTO "refresh_families" ("id", "user_id", "client_id", "scope", "created_at", "revoked_at", "revoke_reason", "amr", "auth_time")
       VALUES ('f-1', 'u-1', NULL, '', $1, NULL, NULL, 'pwd', $1)`,
      [NOW],
    );
    await dataSource.query(
      `INSERT INTO "refresh_tokens" ("id", "family_id", "token_hash", "parent_id", "created_at", "expires_at")
       VALUES ('t-1', 'f-1', $1, NULL, $2, $3)`,
      [sha256Hex(OLDER), NOW, NOW + 3_600_000],
    );
    const runner = dataSource.createQueryRunner();
    try {
      await new RefreshTokensNameRows1764300010000().up(runner);
    } finally {
      await runner.release();
    }
  });

  afterAll(async () => {
    await entities?.destroy();
    await database?.close();
  });

  it('keeps the older tokens findable by their hash, through an index of those rows only', async () => {
    const indexes = (await dataSource.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'refresh_tokens' ORDER BY indexname`,
    )) as { indexname: string; indexdef: string }[];
    expect(indexes.map((index) => index.indexname)).not.toContain('uq_refresh_tokens_hash');
    const partial = indexes.find((index) => index.indexname === 'uq_refresh_tokens_hash_only');
    expect(partial?.indexdef).toMatch(
      /UNIQUE INDEX .* \(token_hash\) WHERE \(token_hash IS NOT NULL\)/,
    );
    await dataSource.query('SET enable_seqscan = off');
    const [plan] = (await dataSource.query(
      `EXPLAIN (FORMAT JSON) SELECT * FROM "refresh_tokens" WHERE "token_hash" = $1`,
      [sha256Hex(OLDER)],
    )) as { 'QUERY PLAN': { Plan: { 'Index Name'?: string } }[] }[];
    await dataSource.query('RESET enable_seqscan');
    expect(plan['QUERY PLAN'][0].Plan['Index Name']).toBe('uq_refresh_tokens_hash_only');
    // Still unique among the older tokens.
    await expect(
      dataSource.query(
        `INSERT INTO "refresh_tokens" ("id", "family_id", "token_hash", "created_at", "expires_at") VALUES ('t-dup', 'f-1', $1, 0, 0)`,
        [sha256Hex(OLDER)],
      ),
    ).rejects.toMatchObject({ code: '23505' });
  });

  it('lets the service refresh an older token and give it a successor that names its row', async () => {
    entities = await new DataSource({
      type: 'postgres',
      url: (dataSource.options as { url: string }).url,
      entities: [UserEntity, RefreshFamilyEntity, RefreshTokenEntity, ...RECORDER_ENTITIES],
    }).initialize();
    const clock = new ManualClock(NOW + 60_000);
    const config = testAuthConfig({ REFRESH_REUSE_INTERVAL: '0', REFRESH_TOKEN_TTL: '1h' });
    const { audit, metrics, revocations } = testRecorders(entities, clock, config);
    const tokens = new RefreshTokensService(
      entities.getRepository(RefreshFamilyEntity),
      entities.getRepository(RefreshTokenEntity),
      config,
      clock,
      audit,
      metrics,
      new WriteFaultPoints(),
      revocations,
    );
    const { grant } = await tokens.refresh(OLDER, null);
    expect(grant.family.id).toBe('f-1');
    expect(grant.refreshToken).toMatch(/^rt_[A-Za-z0-9_-]{65}$/);
    const rows = (await dataSource.query(
      `SELECT "id", "token_hash", "token_digest", "rotated_at" FROM "refresh_tokens" ORDER BY "created_at"`,
    )) as { id: string; token_hash: string | null; token_digest: string | null }[];
    expect(rows).toMatchObject([
      {
        id: 't-1',
        token_hash: sha256Hex(OLDER),
        token_digest: null,
        rotated_at: String(NOW + 60_000),
      },
      { token_hash: null, token_digest: sha256Hex(grant.refreshToken), rotated_at: null },
    ]);
    expect((await tokens.refresh(grant.refreshToken, null)).user.id).toBe('u-1');
  });
});
