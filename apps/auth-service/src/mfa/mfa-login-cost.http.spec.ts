import request from 'supertest';
import { DataSource } from 'typeorm';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink } from '@keycard/testing';
import type { AccountTestApp } from '../account/account.test-kit';
import { newAddress, register, startAccountApp } from '../account/account.test-kit';
import { PasswordHasher } from '../users/password-hasher';
import { enrolTotp, PASSWORD } from './mfa.test-kit';
import { totpCodeAt } from './totp';

/*
 * The cost of a second factor at sign-in (issue 18): a login with TOTP (password step, then the
 * code) reads the database at most once more than a password-only login, and hashes the password
 * once (argon2), never twice. Counted on SQLite through TypeORM's query log.
 */
describe('what a TOTP sign-in costs', () => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  const http = () => request(t.http);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, undefined);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  /** Reads (SELECTs) and password verifications while `work` runs. */
  async function measure(work: () => Promise<void>): Promise<{ reads: number; hashes: number }> {
    const dataSource = t.app.get(DataSource);
    const logQuery = dataSource.logger.logQuery.bind(dataSource.logger);
    const verify = jest.spyOn(PasswordHasher.prototype, 'verify');
    let reads = 0;
    // Only the sign-in's own tables: timers (outbox poll, retention) may query others meanwhile.
    dataSource.logger.logQuery = (query, ...rest) => {
      if (
        /^\s*SELECT/i.test(query) &&
        /"(users|mfa_factors|mfa_recovery_codes|refresh_\w+)"/.test(query)
      ) {
        reads += 1;
      }
      logQuery(query, ...rest);
    };
    try {
      await work();
      return { reads, hashes: verify.mock.calls.length };
    } finally {
      dataSource.logger.logQuery = logQuery;
      verify.mockRestore();
    }
  }

  it('adds at most one read and no second password hash', async () => {
    const plainEmail = newAddress('cost-plain');
    await register(t, plainEmail, PASSWORD);
    const user = await enrolTotp(t, newAddress('cost-totp'));

    const plain = await measure(async () => {
      await http().post('/auth/login').send({ email: plainEmail, password: PASSWORD }).expect(200);
    });
    const totp = await measure(async () => {
      const first = await http()
        .post('/auth/login')
        .send({ email: user.email, password: PASSWORD })
        .expect(401);
      await http()
        .post('/auth/login/mfa')
        .send({
          mfaToken: (first.body as { mfaToken: string }).mfaToken,
          code: totpCodeAt(user.secret, t.clock.now()),
        })
        .expect(200);
    });
    expect(plain.hashes).toBe(1);
    expect(totp.hashes).toBe(1);
    expect(totp.reads - plain.reads).toBeLessThanOrEqual(1);
    // The figures, for the record of the issue (`--verbose` shows them).
    console.info(`password login: ${plain.reads} reads; with TOTP: ${totp.reads} reads`);
  });
});
