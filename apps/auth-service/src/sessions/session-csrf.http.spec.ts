import type { Test } from 'supertest';
import request from 'supertest';
import { ErrorCode } from '@keycard/common';
import type { SessionTestApp, SignedIn } from './sessions.test-kit';
import { createUser, ISSUER_ORIGIN, signIn, startSessionApp } from './sessions.test-kit';

type Call = (t: SessionTestApp, session: SignedIn) => Test;

/** State-changing routes that accept the session cookie. */
const ROUTES: [string, Call][] = [
  ['POST /session/token', (t) => request(t.http).post('/session/token')],
  ['DELETE /sessions/:id', (t, session) => request(t.http).delete(`/sessions/${session.id}`)],
  ['POST /api-keys', (t) => request(t.http).post('/api-keys').send({ name: 'ci' })],
  [
    'POST /account/api-keys (form)',
    (t) => request(t.http).post('/account/api-keys').type('form').send({ name: 'ci' }),
  ],
];

const FAILURES: [string, (session: SignedIn) => Record<string, string>][] = [
  ['no token', () => ({})],
  ['a wrong token', () => ({ 'X-CSRF-Token': 'A'.repeat(43) })],
  ['an empty token', () => ({ 'X-CSRF-Token': '' })],
  [
    'the right token from a foreign Origin',
    (session) => ({ 'X-CSRF-Token': session.csrfToken, Origin: 'https://evil.example' }),
  ],
  [
    'the right token from Origin null',
    (session) => ({ 'X-CSRF-Token': session.csrfToken, Origin: 'null' }),
  ],
  [
    'the right token from Origin null of another site',
    (session) => ({
      'X-CSRF-Token': session.csrfToken,
      Origin: 'null',
      'Sec-Fetch-Site': 'cross-site',
    }),
  ],
];

describe('CSRF protection of cookie-authenticated requests', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  describe.each(ROUTES)('%s', (_route, call) => {
    it.each(FAILURES)('answers 403 csrf_failed with %s', async (_label, headers) => {
      const session = await signIn(t, await createUser(t));
      const response = await call(t, session)
        .set('Cookie', session.cookie)
        .set(headers(session))
        .expect(403);
      if (response.type === 'application/json')
        expect(response.body.error).toBe(ErrorCode.CsrfFailed);
      else expect(response.text).toContain('This form has expired');
      // Nothing happened: the session is still there.
      await request(t.http).get('/auth/me').set('Cookie', session.cookie).expect(200);
    });

    it('passes with the token (and the issuer as Origin)', async () => {
      const session = await signIn(t, await createUser(t));
      const response = await call(t, session)
        .set('Cookie', session.cookie)
        .set({ 'X-CSRF-Token': session.csrfToken, Origin: ISSUER_ORIGIN });
      expect([200, 201, 204]).toContain(response.status);
    });
  });

  it('accepts the token as the _csrf form field', async () => {
    const session = await signIn(t, await createUser(t));
    const response = await request(t.http)
      .post('/account/api-keys')
      .set('Cookie', session.cookie)
      .type('form')
      .send({ _csrf: session.csrfToken, name: 'from a form' })
      .expect(200);
    expect(response.text).toContain('It will not be shown again');
  });

  it('accepts Origin null with Sec-Fetch-Site same-origin (our pages send no referrer)', async () => {
    // Under Referrer-Policy: no-referrer, browsers send `Origin: null` on same-origin form posts.
    const session = await signIn(t, await createUser(t));
    await request(t.http)
      .post('/account/api-keys')
      .set({ Cookie: session.cookie, Origin: 'null', 'Sec-Fetch-Site': 'same-origin' })
      .type('form')
      .send({ _csrf: session.csrfToken, name: 'from our own page' })
      .expect(200);
  });

  it('does not ask for a token on safe methods', async () => {
    const session = await signIn(t, await createUser(t));
    await request(t.http)
      .get('/sessions')
      .set('Cookie', session.cookie)
      .set('Origin', 'https://evil.example')
      .expect(200);
  });

  it('does not apply to bearer tokens, even with a foreign Origin and a cookie', async () => {
    const session = await signIn(t, await createUser(t));
    const minted = await request(t.http)
      .post('/session/token')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrfToken)
      .expect(200);
    await request(t.http)
      .post('/api-keys')
      .set('Authorization', `Bearer ${minted.body.accessToken}`)
      .set('Origin', 'https://evil.example')
      .send({ name: 'by token' })
      .expect(201);
  });
});
