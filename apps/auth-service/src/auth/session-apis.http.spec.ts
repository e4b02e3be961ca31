import request from 'supertest';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { createUser, signIn, startSessionApp } from '../sessions/sessions.test-kit';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

describe('The session as a credential of the JSON API', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is accepted by /auth/me', async () => {
    const user = await createUser(t, ['user'], 'Grace');
    const session = await signIn(t, user);
    const response = await request(t.http)
      .get('/auth/me')
      .set('Cookie', session.cookie)
      .expect(200);
    expect(response.body).toEqual({
      id: user.id,
      email: user.email,
      name: 'Grace',
      roles: ['user'],
      emailVerified: false,
    });
  });

  it('is accepted by /api-keys: list, and create with the CSRF token', async () => {
    const session = await signIn(t, await createUser(t));
    await request(t.http).get('/api-keys').set('Cookie', session.cookie).expect(200, []);
    const created = await request(t.http)
      .post('/api-keys')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrfToken)
      .send({ name: 'deploy' })
      .expect(201);
    expect(created.body.key).toMatch(/^sk_live_/);
    const listed = await request(t.http).get('/api-keys').set('Cookie', session.cookie).expect(200);
    expect(listed.body).toHaveLength(1);
    expect(listed.text).not.toContain(created.body.key);
  });

  it('refuses a request with neither cookie nor token (401 Bearer)', async () => {
    const response = await request(t.http).get('/auth/me').expect(401);
    expect(response.headers['www-authenticate']).toBe('Bearer');
    await request(t.http).get('/auth/me').set('Cookie', 'keycard.sid=garbage').expect(401);
  });

  it('tells an SPA its session and CSRF token (GET /session)', async () => {
    const user = await createUser(t);
    const session = await signIn(t, user);
    const response = await request(t.http)
      .get('/session')
      .set('Cookie', session.cookie)
      .expect(200);
    expect(response.body).toMatchObject({
      id: session.id,
      csrfToken: session.csrfToken,
      user: { id: user.id },
    });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('mints an access token whose sid is the public session id (POST /session/token)', async () => {
    const user = await createUser(t, ['user', 'editor']);
    const session = await signIn(t, user);
    const response = await request(t.http)
      .post('/session/token')
      .set('Cookie', session.cookie)
      .set('X-CSRF-Token', session.csrfToken)
      .expect(200);
    expect(response.body).toEqual({
      accessToken: expect.any(String),
      tokenType: 'Bearer',
      expiresIn: t.config.accessTokenTtl,
    });
    expect(claimsOf(response.body.accessToken)).toMatchObject({
      sub: user.id,
      sid: session.id,
      roles: ['user', 'editor'],
      scope: '',
    });
    const bearer = `Bearer ${response.body.accessToken}`;
    await request(t.http).get('/auth/me').set('Authorization', bearer).expect(200);
    const listed = await request(t.http).get('/sessions').set('Authorization', bearer).expect(200);
    expect(listed.body).toEqual([expect.objectContaining({ id: session.id, current: true })]);
    // A bearer token is not a browser session: it cannot mint further tokens from one.
    await request(t.http).post('/session/token').set('Authorization', bearer).expect(403);
  });

  it('stops authenticating a disabled user at once, whatever the events did', async () => {
    const user = await createUser(t);
    const session = await signIn(t, user);
    await t.users.update(user.id, { disabled: true });
    await request(t.http).get('/auth/me').set('Cookie', session.cookie).expect(401);
  });
});
