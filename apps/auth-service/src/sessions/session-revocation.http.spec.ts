import request from 'supertest';
import type { SessionTestApp, SignedIn } from './sessions.test-kit';
import { createUser, signIn, startSessionApp } from './sessions.test-kit';
import { SessionsService } from './sessions.service';

interface ListedSession {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

describe('Ending sessions over HTTP', () => {
  let t: SessionTestApp;

  beforeAll(async () => {
    t = await startSessionApp();
  });

  afterAll(async () => {
    await t?.close();
  });

  const me = (session: SignedIn) => request(t.http).get('/auth/me').set('Cookie', session.cookie);
  const revoke = (by: SignedIn, id: string) =>
    request(t.http)
      .delete(`/sessions/${id}`)
      .set('Cookie', by.cookie)
      .set('X-CSRF-Token', by.csrfToken);

  it('lists the live sessions with public ids only, marking the current one', async () => {
    const user = await createUser(t);
    const laptop = await signIn(t, user, { 'User-Agent': 'Laptop Browser/1.0' });
    t.clock.advance(1000);
    const phone = await signIn(t, user, { 'User-Agent': 'Phone Browser/2.0' });
    const response = await request(t.http).get('/sessions').set('Cookie', phone.cookie).expect(200);
    const sessions = response.body as ListedSession[];
    expect(sessions.map((s) => [s.id, s.userAgent, s.current])).toEqual([
      [phone.id, 'Phone Browser/2.0', true],
      [laptop.id, 'Laptop Browser/1.0', false],
    ]);
    expect(Object.keys(sessions[0]).sort()).toEqual([
      'createdAt',
      'current',
      'id',
      'ip',
      'lastSeenAt',
      'userAgent',
    ]);
    expect(sessions[0].ip).toMatch(/127\.0\.0\.1|::1/);
    for (const secret of [
      laptop.cookie.split('=')[1],
      phone.cookie.split('=')[1],
      phone.csrfToken,
    ]) {
      expect(response.text).not.toContain(secret);
    }
  });

  it('revokes one session from another: the revoked cookie gets 401 at once', async () => {
    const user = await createUser(t);
    const first = await signIn(t, user);
    const second = await signIn(t, user);
    await me(second).expect(200);
    await revoke(first, second.id).expect(204);
    await me(second).expect(401);
    await me(first).expect(200);
    await revoke(first, second.id).expect(404);
  });

  it("cannot revoke another user's session (404, and it keeps working)", async () => {
    const mallory = await signIn(t, await createUser(t));
    const alice = await signIn(t, await createUser(t));
    await revoke(mallory, alice.id).expect(404);
    await revoke(mallory, 'not-a-uuid').expect(404);
    await me(alice).expect(200);
  });

  it('ends every session when an admin disables the user', async () => {
    const admin = await signIn(t, await createUser(t, ['admin']));
    const user = await createUser(t);
    const sessions = [await signIn(t, user), await signIn(t, user)];
    await request(t.http)
      .patch(`/admin/users/${user.id}`)
      .set('Cookie', admin.cookie)
      .set('X-CSRF-Token', admin.csrfToken)
      .send({ disabled: true })
      .expect(200);
    for (const session of sessions) await me(session).expect(401);
    expect(await t.app.get(SessionsService).list(user.id)).toEqual([]);
  });

  it('ends every session through destroyAllForUser (what POST /auth/logout-all calls)', async () => {
    const user = await createUser(t);
    const sessions = [await signIn(t, user), await signIn(t, user), await signIn(t, user)];
    const other = await signIn(t, await createUser(t));
    expect(await t.app.get(SessionsService).destroyAllForUser(user.id)).toBe(3);
    for (const session of sessions) await me(session).expect(401);
    await me(other).expect(200);
  });

  it('POST /auth/logout-all ends every browser session of the user', async () => {
    const user = await createUser(t);
    const sessions = [await signIn(t, user), await signIn(t, user)];
    const other = await signIn(t, await createUser(t));
    await request(t.http)
      .post('/auth/logout-all')
      .set('Cookie', sessions[0].cookie)
      .set('X-CSRF-Token', sessions[0].csrfToken)
      .expect(204);
    for (const session of sessions) await me(session).expect(401);
    await me(other).expect(200);
  });
});
