import { randomUUID } from 'node:crypto';
import { ManualClock } from '@keycard/common';
import { AUTH_ENTITIES } from '../database/entities';
import { RetentionService } from '../retention/retention.service';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { testAuthConfig } from '../testing/test-config';
import { testMetrics } from '../testing/test-recorders';
import { CODE_TTL_MS } from './authorization-codes.service';
import { OidcCodeEntity, OidcPendingRequestEntity } from './oidc-records.entity';

/* The retention job's rules for authorization codes and waiting authorization requests, on both
 * databases: everything past its expiry goes, spent or not; nothing before it. */
const MINUTE = 60_000;

describe.each(databaseBackends())('retention of the OpenID Provider on $name', (backend) => {
  let db: OpenDatabase;
  const clock = new ManualClock();
  const now = clock.now();

  beforeAll(async () => {
    db = await backend.open(AUTH_ENTITIES);
  });
  afterAll(() => db?.close());

  async function code(name: string, expiresAt: number, redeemed: boolean): Promise<void> {
    await db.dataSource.getRepository(OidcCodeEntity).insert({
      codeHash: name.padEnd(64, '0'),
      clientId: 'app',
      userId: randomUUID(),
      sessionId: randomUUID(),
      redirectUri: 'https://app.example/callback',
      codeChallenge: 'c'.repeat(43),
      scope: 'openid',
      nonce: null,
      authTime: expiresAt - CODE_TTL_MS,
      amr: ['pwd'],
      createdAt: expiresAt - CODE_TTL_MS,
      expiresAt,
      redeemedAt: redeemed ? expiresAt - CODE_TTL_MS / 2 : null,
      familyId: redeemed ? randomUUID() : null,
      replayedAt: null,
    });
  }

  async function pending(name: string, expiresAt: number): Promise<void> {
    await db.dataSource.getRepository(OidcPendingRequestEntity).insert({
      handleHash: name.padEnd(64, '0'),
      request: '{}',
      createdAt: expiresAt - 15 * MINUTE,
      expiresAt,
    });
  }

  it('deletes codes and waiting requests past their expiry, and keeps the live ones', async () => {
    await code('code-expired-unused', now - MINUTE, false);
    await code('code-expired-spent', now - MINUTE, true);
    await code('code-expiring-now', now, false);
    await code('code-live-unused', now + 1, false);
    await code('code-live-spent', now + 30_000, true);
    await pending('pending-expired', now - 1);
    await pending('pending-live', now + MINUTE);

    const config = testAuthConfig({ RETENTION_BATCH_SIZE: '2' });
    const retention = new RetentionService(
      db.dataSource,
      clock,
      config,
      config.retention,
      testMetrics(),
    );
    const result = await retention.run();

    const codes = await db.dataSource.getRepository(OidcCodeEntity).find();
    const waiting = await db.dataSource.getRepository(OidcPendingRequestEntity).find();
    const names = (hashes: string[]) => hashes.map((hash) => hash.replace(/0+$/, '')).sort();
    expect(names(codes.map((row) => row.codeHash))).toEqual([
      'code-live-spent',
      'code-live-unused',
    ]);
    expect(names(waiting.map((row) => row.handleHash))).toEqual(['pending-live']);
    expect(result.deleted).toMatchObject({ oidc_codes: 3, oidc_pending_requests: 1 });
  });
});
