import { Secret, TOTP } from 'otpauth';
import request from 'supertest';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink, testBackendUrls } from '@keycard/testing';
import type { AccountTestApp } from '../account/account.test-kit';
import { newAddress, startAccountApp } from '../account/account.test-kit';
import { enrolTotp, STEP } from '../mfa/mfa.test-kit';
import type { EnrolledUser } from '../mfa/mfa.test-kit';
import { cookiePair, loginForm, setCookieFor } from '../sessions/sessions.test-kit';
import { GoogleAccountsService } from './google-accounts.service';
import type { MockGoogle } from './google.test-kit';
import { ALLOWED_APP, googleEnv, googleSignIn, startMockGoogle } from './google.test-kit';

/*
 * Sign in with Google for a user with a second factor (API.md section 7): the callback starts no
 * session and hands out no tokens; the browser goes to the same /login/mfa step as the password
 * form, and only the right code signs in (amr: Google's none + otp, mfa), landing at `returnTo`.
 * Against a real local OpenID provider, on SQLite and (with TEST_DATABASE_URL) PostgreSQL.
 */
const backends = testBackendUrls();

/** The authenticator app's code at `now`, computed independently of the service's own helper. */
function codeAt(secret: string, now: number): string {
  const totp = new TOTP({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  });
  return totp.generate({ timestamp: now });
}

function amrOf(accessToken: string): string[] {
  const payload = Buffer.from(accessToken.split('.')[1], 'base64url').toString();
  return (JSON.parse(payload) as { amr?: string[] }).amr ?? [];
}

describe.each(backends)('Sign in with Google and a second factor on %s', (_name, url) => {
  let sink: SmtpSink;
  let mock: MockGoogle;
  let t: AccountTestApp;
  let counter = 0;
  const http = () => request(t.http);

  beforeAll(async () => {
    sink = await startSmtpSink();
    mock = await startMockGoogle();
    t = await startAccountApp(sink, url, googleEnv(mock));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await mock?.stop();
    await sink?.close();
  });

  /** A user with TOTP whose Google account is already linked; the mock signs in as them. */
  async function enrolledGoogleUser(label: string): Promise<EnrolledUser> {
    const enrolled = await enrolTotp(t, newAddress(label));
    const user = await t.users.findById(enrolled.id);
    if (!user) throw new Error('enrolled user not found');
    counter += 1;
    const account = { sub: `mfa-${counter}-${Date.now()}`, email: enrolled.email, name: label };
    await t.app.get(GoogleAccountsService).link(user, account);
    mock.account = { ...account, email_verified: true };
    return enrolled;
  }

  /** The access token of a session cookie (`keycard.sid=…`). */
  async function sessionAmr(sessionCookie: string): Promise<string[]> {
    const current = await http().get('/session').set('Cookie', sessionCookie).expect(200);
    const token = await http()
      .post('/session/token')
      .set('Cookie', sessionCookie)
      .set('X-CSRF-Token', (current.body as { csrfToken: string }).csrfToken)
      .expect(200);
    return amrOf((token.body as { accessToken: string }).accessToken);
  }

  it('sends a TOTP user to /login/mfa without a session; a wrong code signs nobody in, the right one lands at returnTo with mfa', async () => {
    const user = await enrolledGoogleUser('google-totp');
    const returnTo = '/admin/users';
    const { response } = await googleSignIn(t, `?returnTo=${encodeURIComponent(returnTo)}`);
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/login/mfa');
    expect(setCookieFor(response)).toBeUndefined();
    const mfaLine = setCookieFor(response, 'keycard.mfa');
    expect(mfaLine).toMatch(/HttpOnly/);
    const returnLine = setCookieFor(response, 'keycard.mfa.return');
    expect(returnLine).toMatch(/Path=\/session\/login;.*HttpOnly/);

    const form = await loginForm(t);
    const cookies = [form.cookie, cookiePair(mfaLine ?? ''), cookiePair(returnLine ?? '')].join(
      '; ',
    );
    const page = await http().get('/login/mfa').set('Cookie', cookies).expect(200);
    expect(page.text).toContain('autocomplete="one-time-code"');

    const wrong = await http()
      .post('/session/login/mfa')
      .type('form')
      .set('Cookie', cookies)
      .send({ code: '000000', _csrf: form.csrf })
      .expect(303);
    expect(wrong.headers['location']).toBe('/login/mfa?error=invalid_code');
    expect(setCookieFor(wrong)).toBeUndefined();

    t.clock.advance(STEP);
    const right = await http()
      .post('/session/login/mfa')
      .type('form')
      .set('Cookie', cookies)
      .send({ code: codeAt(user.secret, t.clock.now()), _csrf: form.csrf })
      .expect(303);
    expect(right.headers['location']).toBe(returnTo);
    const sessionLine = setCookieFor(right);
    expect(sessionLine).toBeDefined();
    expect(await sessionAmr(cookiePair(sessionLine ?? ''))).toEqual(['otp', 'mfa']);
  });

  it('keeps an allowlisted app as the target and, without returnTo, lands on /account', async () => {
    const user = await enrolledGoogleUser('google-target');
    const target = `${ALLOWED_APP}/after`;
    const first = await googleSignIn(t, `?returnTo=${encodeURIComponent(target)}`);
    expect(first.response.headers['location']).toBe('/login/mfa');
    const mfaToken = cookiePair(setCookieFor(first.response, 'keycard.mfa') ?? '');
    const back = cookiePair(setCookieFor(first.response, 'keycard.mfa.return') ?? '');
    t.clock.advance(STEP);
    const json = await http()
      .post('/session/login/mfa')
      .set('Cookie', `${mfaToken}; ${back}`)
      .send({ code: codeAt(user.secret, t.clock.now()) })
      .expect(200);
    expect((json.body as { location: string }).location).toBe(target);

    const plain = await googleSignIn(t);
    expect(plain.response.headers['location']).toBe('/login/mfa');
    expect(setCookieFor(plain.response)).toBeUndefined();
    t.clock.advance(STEP);
    const done = await http()
      .post('/session/login/mfa')
      .set('Cookie', cookiePair(setCookieFor(plain.response, 'keycard.mfa') ?? ''))
      .send({ code: codeAt(user.secret, t.clock.now()) })
      .expect(200);
    expect((done.body as { location: string }).location).toBe('/account');
  });

  it('mode=code: the hand-off gives no tokens but mfa_required; the mfaToken and a code give them, with mfa', async () => {
    const user = await enrolledGoogleUser('google-code');
    const { response } = await googleSignIn(
      t,
      `?mode=code&returnTo=${encodeURIComponent(`${ALLOWED_APP}/cb`)}`,
    );
    expect(setCookieFor(response)).toBeUndefined();
    const handoff = new URL(response.headers['location'] as string).searchParams.get('code');
    const refused = await http().post('/auth/google/exchange').send({ code: handoff }).expect(401);
    expect(refused.body).toMatchObject({
      error: 'mfa_required',
      methods: ['totp', 'recovery_code'],
    });
    expect(refused.body).not.toHaveProperty('accessToken');

    t.clock.advance(STEP);
    const tokens = await http()
      .post('/auth/login/mfa')
      .send({
        mfaToken: (refused.body as { mfaToken: string }).mfaToken,
        code: codeAt(user.secret, t.clock.now()),
      })
      .expect(200);
    expect(amrOf((tokens.body as { accessToken: string }).accessToken)).toEqual(['otp', 'mfa']);
  });

  it('a user without a second factor still gets a session (and tokens) from Google alone', async () => {
    counter += 1;
    mock.account = {
      sub: `plain-${counter}-${Date.now()}`,
      email: newAddress('google-plain'),
      email_verified: true,
    };
    const { response } = await googleSignIn(t);
    expect(response.status).toBe(303);
    expect(response.headers['location']).toBe('/account');
    expect(setCookieFor(response, 'keycard.mfa')).toBeUndefined();
    const sessionLine = setCookieFor(response);
    expect(sessionLine).toBeDefined();
    expect(await sessionAmr(cookiePair(sessionLine ?? ''))).toEqual([]);

    const coded = await googleSignIn(t, `?mode=code&returnTo=${encodeURIComponent(ALLOWED_APP)}`);
    const handoff = new URL(coded.response.headers['location'] as string).searchParams.get('code');
    const tokens = await http().post('/auth/google/exchange').send({ code: handoff }).expect(200);
    expect(tokens.body).toHaveProperty('accessToken');
  });
});
