import { decodeJwt } from 'jose';
import request from 'supertest';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
import type { SmtpSink } from '@keycard/testing';
import type { AccountTestApp } from '../account/account.test-kit';
import {
  login,
  newAddress,
  register,
  sessionSignIn,
  startAccountApp,
} from '../account/account.test-kit';

/*
 * `amr` and `auth_time` (RFC 8176, contract section 7) in access tokens of a password sign-in,
 * kept from the original sign-in by a refresh and by a session's tokens, on SQLite and (with
 * TEST_DATABASE_URL) PostgreSQL.
 */
const backends = testBackendUrls();

const PASSWORD = 'kT9#qz!w-registered';
const MINUTE = 60_000;

describe.each(backends)('amr and auth_time on %s', (_name, url) => {
  let sink: SmtpSink;
  let t: AccountTestApp;
  const http = () => request(t.http);

  beforeAll(async () => {
    sink = await startSmtpSink();
    t = await startAccountApp(sink, url);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });

  it('a password login carries amr ["pwd"] and its auth_time; a refresh keeps both', async () => {
    const email = newAddress('amr');
    await register(t, email);
    const signedInAt = Math.floor(t.clock.now() / 1000);
    const first = await login(t, email, PASSWORD);
    expect(decodeJwt(first.accessToken)).toMatchObject({ amr: ['pwd'], auth_time: signedInAt });

    t.clock.advance(5 * MINUTE);
    const refreshed = await http()
      .post('/auth/refresh')
      .send({ refreshToken: first.refreshToken })
      .expect(200);
    const claims = decodeJwt((refreshed.body as { accessToken: string }).accessToken);
    expect(claims).toMatchObject({ amr: ['pwd'], auth_time: signedInAt });
    expect(claims.iat).toBe(signedInAt + 300);
  });

  it("a session's access token carries the session's sign-in, not the time it was asked for", async () => {
    const email = newAddress('amr-session');
    await register(t, email);
    const signedInAt = Math.floor(t.clock.now() / 1000);
    const session = await sessionSignIn(t, email, PASSWORD);
    t.clock.advance(2 * MINUTE);
    const response = await http()
      .post('/session/token')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrfToken)
      .expect(200);
    const claims = decodeJwt((response.body as { accessToken: string }).accessToken);
    expect(claims).toMatchObject({ amr: ['pwd'], auth_time: signedInAt });
  });
});
