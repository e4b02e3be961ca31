import { decodeJwt } from 'jose';
import request from 'supertest';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
import type { AccountTestApp } from '../account/account.test-kit';
import { newAddress, startAccountApp } from '../account/account.test-kit';
import { enrolTotp, passwordStep, PASSWORD, STEP } from './mfa.test-kit';
import { totpCodeAt } from './totp';

/*
 * Sign-in with a second factor over the JSON API (contract section 7), on SQLite and (with
 * TEST_DATABASE_URL) PostgreSQL: enrol → the password alone no longer signs in → the second step
 * gives tokens with amr ["pwd","otp","mfa"]; replay, recovery codes, the wrong-code limit.
 */
const backends = testBackendUrls();

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

describe.each(backends)('sign-in with a second factor on %s', (_name, url) => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  const http = () => request(t.http);
  const secondStep = (mfaToken: string, code: string) =>
    http().post('/auth/login/mfa').send({ mfaToken, code });

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, url);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('enrol → the password answers mfa_required → a TOTP code gives tokens with amr pwd, otp, mfa', async () => {
    const user = await enrolTotp(t, newAddress('totp'));
    expect(user.recoveryCodes).toHaveLength(10);
    expect(new Set(user.recoveryCodes).size).toBe(10);

    const answer = await http()
      .post('/auth/login')
      .send({ email: user.email, password: PASSWORD })
      .expect(401);
    expect(answer.body).toMatchObject({
      statusCode: 401,
      error: 'mfa_required',
      mfaToken: expect.stringMatching(/^mfa_/),
      methods: ['totp', 'recovery_code'],
    });
    expect(answer.body).not.toHaveProperty('accessToken');

    const mfaToken = (answer.body as { mfaToken: string }).mfaToken;
    // The mfaToken is no bearer token.
    await http().get('/auth/me').auth(mfaToken, { type: 'bearer' }).expect(401);

    const signedInAt = Math.floor(t.clock.now() / 1000);
    const tokens = (await secondStep(mfaToken, totpCodeAt(user.secret, t.clock.now())).expect(200))
      .body as Tokens;
    expect(decodeJwt(tokens.accessToken)).toMatchObject({
      sub: user.id,
      amr: ['pwd', 'otp', 'mfa'],
      auth_time: signedInAt,
    });
    const me = await http().get('/auth/mfa').auth(tokens.accessToken, { type: 'bearer' });
    expect(me.body).toEqual({ totp: true, passkeys: 0, recoveryCodesLeft: 10 });

    // A refresh keeps the sign-in's amr and auth_time.
    t.clock.advance(60_000);
    const refreshed = await http()
      .post('/auth/refresh')
      .send({ refreshToken: tokens.refreshToken })
      .expect(200);
    expect(decodeJwt((refreshed.body as Tokens).accessToken)).toMatchObject({
      amr: ['pwd', 'otp', 'mfa'],
      auth_time: signedInAt,
    });
  });

  it('refuses a replayed code and a used mfaToken; a wrong code leaves the mfaToken usable', async () => {
    const user = await enrolTotp(t, newAddress('replay'));
    const code = totpCodeAt(user.secret, t.clock.now());
    const first = await passwordStep(t, user.email);
    await secondStep(first, '000000').expect(401);
    await secondStep(first, code).expect(200);
    // The same mfaToken again, even with a fresh code: used up.
    t.clock.advance(STEP);
    const again = await secondStep(first, totpCodeAt(user.secret, t.clock.now())).expect(401);
    expect(again.body).toMatchObject({ error: 'invalid_token' });
    // The same code with a new mfaToken: a replay.
    const second = await passwordStep(t, user.email);
    const replay = await secondStep(second, code).expect(401);
    expect(replay.body).toMatchObject({ error: 'invalid_code' });
  });

  it('an mfaToken expires after 5 minutes', async () => {
    const user = await enrolTotp(t, newAddress('expiry'));
    const mfaToken = await passwordStep(t, user.email);
    t.clock.advance(5 * 60_000 + 1000);
    const answer = await secondStep(mfaToken, totpCodeAt(user.secret, t.clock.now())).expect(401);
    expect(answer.body).toMatchObject({ error: 'invalid_token' });
  });

  it('a recovery code works once, and counts as a second factor', async () => {
    const user = await enrolTotp(t, newAddress('recovery'));
    const [code] = user.recoveryCodes;
    const tokens = (await secondStep(await passwordStep(t, user.email), code).expect(200))
      .body as Tokens;
    expect(decodeJwt(tokens.accessToken).amr).toEqual(['pwd', 'otp', 'mfa']);
    await secondStep(await passwordStep(t, user.email), code).expect(401);
    // Typed differently (lower case, no dash): still the same, used code.
    await secondStep(await passwordStep(t, user.email), code.toLowerCase().replace('-', '')).expect(
      401,
    );
    const status = await http().get('/auth/mfa').auth(tokens.accessToken, { type: 'bearer' });
    expect(status.body).toMatchObject({ recoveryCodesLeft: 9 });
  });

  it('after five wrong codes the next attempt gets 429 with Retry-After, even a right one', async () => {
    const user = await enrolTotp(t, newAddress('limit'));
    const mfaToken = await passwordStep(t, user.email);
    for (let i = 0; i < 5; i += 1) {
      await secondStep(mfaToken, i % 2 ? '000000' : 'AAAAA-AAAAA').expect(401);
    }
    const refused = await secondStep(mfaToken, totpCodeAt(user.secret, t.clock.now())).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(15 * 60);
    // 15 minutes later the user may try again (the mfaToken has expired meanwhile: a new one).
    t.clock.advance(15 * 60_000 + 1000);
    const fresh = await passwordStep(t, user.email);
    await secondStep(fresh, totpCodeAt(user.secret, t.clock.now())).expect(200);
  });

  it('a wrong code at confirm is 400 invalid_code; removing the factor restores password sign-in', async () => {
    const email = newAddress('remove');
    const user = await enrolTotp(t, email);
    const mfaToken = await passwordStep(t, email);
    const tokens = (await secondStep(mfaToken, totpCodeAt(user.secret, t.clock.now())).expect(200))
      .body as Tokens;
    await http()
      .delete('/auth/mfa/totp')
      .auth(tokens.accessToken, { type: 'bearer' })
      .send({ password: 'not-the-password' })
      .expect(401);
    await http()
      .delete('/auth/mfa/totp')
      .auth(tokens.accessToken, { type: 'bearer' })
      .send({ password: PASSWORD })
      .expect(204);
    const plain = await http().post('/auth/login').send({ email, password: PASSWORD }).expect(200);
    expect(decodeJwt((plain.body as Tokens).accessToken).amr).toEqual(['pwd']);

    const started = await http()
      .post('/auth/mfa/totp')
      .auth((plain.body as Tokens).accessToken, { type: 'bearer' })
      .expect(200);
    expect(started.body).toMatchObject({ secret: expect.any(String) });
    const wrong = await http()
      .post('/auth/mfa/totp/confirm')
      .auth((plain.body as Tokens).accessToken, { type: 'bearer' })
      .send({ code: '000000' })
      .expect(400);
    expect(wrong.body).toMatchObject({ error: 'invalid_code' });
  });
});
