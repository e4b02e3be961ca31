import { randomUUID } from 'node:crypto';
import { ManualClock } from '@keycard/common';
import { AUTH_ENTITIES } from '../database/entities';
import type { MailStatus } from '../mail/mail-message.entity';
import { MailMessageEntity } from '../mail/mail-message.entity';
import { RetentionService } from '../retention/retention.service';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { testAuthConfig } from '../testing/test-config';
import { testMetrics } from '../testing/test-recorders';
import { AccountTokenEntity } from './account-token.entity';

/* The retention job's rules for mailed link tokens and the mail outbox, on both databases. */
const HOUR = 3_600_000;

describe.each(databaseBackends())('retention of link tokens and sent mail on $name', (backend) => {
  let db: OpenDatabase;
  const clock = new ManualClock();
  const now = clock.now();

  beforeAll(async () => {
    db = await backend.open(AUTH_ENTITIES);
  });
  afterAll(() => db?.close());

  async function linkToken(id: string, expiresAt: number, usedAt: number | null): Promise<void> {
    await db.dataSource.getRepository(AccountTokenEntity).insert({
      id,
      tokenHash: randomUUID().replace(/-/g, '').padEnd(64, '0'),
      userId: randomUUID(),
      purpose: 'reset_password',
      email: 'a@example.test',
      createdAt: now - 2 * HOUR,
      expiresAt,
      usedAt,
    });
  }

  async function mail(id: string, status: MailStatus, settledAt: number | null): Promise<void> {
    await db.dataSource.getRepository(MailMessageEntity).insert({
      id,
      to: 'a@example.test',
      subject: 's',
      text: '',
      html: '',
      status,
      attempts: 1,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now - 2 * HOUR,
      settledAt,
    });
  }

  it('deletes expired and long-used tokens and long-settled mail, and keeps the rest', async () => {
    await linkToken('token-live', now + HOUR, null);
    await linkToken('token-expired', now - 1, null);
    await linkToken('token-used-long-ago', now + HOUR, now - 2 * HOUR);
    await linkToken('token-used-just-now', now + HOUR, now - 1000);
    await mail('mail-pending', 'pending', null);
    await mail('mail-sent-long-ago', 'sent', now - 2 * HOUR);
    await mail('mail-failed-long-ago', 'failed', now - 2 * HOUR);
    await mail('mail-sent-just-now', 'sent', now - 1000);

    const config = testAuthConfig({ RETENTION_BATCH_SIZE: '2' });
    const result = await new RetentionService(
      db.dataSource,
      clock,
      config,
      config.retention,
      testMetrics(),
    ).run();

    const tokens = await db.dataSource.getRepository(AccountTokenEntity).find();
    const mails = await db.dataSource.getRepository(MailMessageEntity).find();
    expect(tokens.map((row) => row.id).sort()).toEqual(['token-live', 'token-used-just-now']);
    expect(mails.map((row) => row.id).sort()).toEqual(['mail-pending', 'mail-sent-just-now']);
    expect(result.deleted).toMatchObject({ account_tokens: 2, mail_outbox: 2 });
  });
});
