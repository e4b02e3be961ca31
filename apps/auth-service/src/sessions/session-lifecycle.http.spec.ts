import request from 'supertest';
import { ManualClock } from '@keycard/common';
import type { SessionTestApp } from './sessions.test-kit';
import { createUser, MINUTE, setCookieFor, signIn, startSessionApp } from './sessions.test-kit';

interface ListedSession {
  id: string;
  lastSeenAt: string;
  current: boolean;
}

describe('Session lifetime over HTTP', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp({ SESSION_IDLE_TTL: '30m', SESSION_TTL: '2h' });
  });

  afterAll(async () => {
    await t?.close();
  });

  const me = (cookie: string) => request(t.http).get('/auth/me').set('Cookie', cookie);

  it('ends a session after 30 idle minutes', async () => {
    const session = await signIn(t, await createUser(t));
    t.clock.advance(30 * MINUTE - 1);
    await me(session.cookie).expect(200);
    t.clock.advance(30 * MINUTE);
    await me(session.cookie).expect(401);
  });

  it('keeps a session in use alive past the idle timeout, up to its absolute lifetime', async () => {
    const session = await signIn(t, await createUser(t));
    for (let elapsed = 0; elapsed < 2 * 60 * MINUTE - 20 * MINUTE; elapsed += 20 * MINUTE) {
      t.clock.advance(20 * MINUTE);
      await me(session.cookie).expect(200);
    }
    t.clock.advance(20 * MINUTE);
    const expired = await me(session.cookie).expect(401);
    expect(expired.headers['www-authenticate']).toBe('Bearer');
  });

  it('records activity at most once a minute', async () => {
    const session = await signIn(t, await createUser(t));
    const lastSeen = async () => {
      const response = await request(t.http)
        .get('/sessions')
        .set('Cookie', session.cookie)
        .expect(200);
      return (response.body as ListedSession[]).find((entry) => entry.id === session.id)
        ?.lastSeenAt;
    };
    const start = await lastSeen();
    t.clock.advance(59_000);
    expect(await lastSeen()).toBe(start);
    t.clock.advance(1_000);
    await me(session.cookie).expect(200);
    expect(await lastSeen()).toBe(new Date(t.clock.now()).toISOString());
  });

  it('signs out over JSON: 204, the cookie cleared, the session ended', async () => {
    const session = await signIn(t, await createUser(t));
    const response = await request(t.http)
      .post('/session/logout')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrfToken)
      .expect(204);
    expect(setCookieFor(response)).toMatch(/^keycard\.sid=;.*Expires=Thu, 01 Jan 1970/);
    await me(session.cookie).expect(401);
  });

  it('signs out through the form: 303 to /login', async () => {
    const session = await signIn(t, await createUser(t));
    const response = await request(t.http)
      .post('/session/logout')
      .set('Cookie', session.cookie)
      .type('form')
      .send({ _csrf: session.csrfToken })
      .expect(303);
    expect(response.headers.location).toBe('/login?signed_out=1');
    await me(session.cookie).expect(401);
  });

  it('refuses a sign-out without the CSRF token (403) and keeps the session', async () => {
    const session = await signIn(t, await createUser(t));
    await request(t.http).post('/session/logout').set('Cookie', session.cookie).expect(403);
    await me(session.cookie).expect(200);
  });

  it('answers a sign-out without a session with 204 and a cleared cookie', async () => {
    const response = await request(t.http).post('/session/logout').expect(204);
    expect(setCookieFor(response)).toBeDefined();
  });
});

describe('Sessions across a restart (embedded store)', () => {
  it('keeps a session working after the auth-service restarts on the same DATA_DIR', async () => {
    const clock = new ManualClock(Date.now());
    const first = await startSessionApp({}, clock);
    const dataDir = first.config.dataDir;
    const session = await signIn(first, await createUser(first));
    await first.close();
    const second = await startSessionApp({ DATA_DIR: dataDir }, clock);
    try {
      await request(second.http).get('/auth/me').set('Cookie', session.cookie).expect(200);
    } finally {
      await second.close();
    }
  });
});
