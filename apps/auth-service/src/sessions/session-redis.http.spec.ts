import request from 'supertest';
import { ManualClock } from '@keycard/common';
import { testRedisUrl } from '@keycard/testing';
import { RedisSessionStore } from './redis-session.store';
import { SessionStore } from './session.store';
import { createUser, MINUTE, signIn, startSessionApp } from './sessions.test-kit';

const redisUrl = testRedisUrl();

// The app wired to Redis (REDIS_URL set): needs a real Redis, so it runs when TEST_REDIS_URL is
// set (CI) and is skipped, not failed, on a fresh clone without one.
(redisUrl ? describe : describe.skip)('Sessions in Redis over HTTP', () => {
  it('keeps sessions in Redis: shared by two instances, ended by either, timed by the Clock', async () => {
    const clock = new ManualClock(Date.now());
    const env = { REDIS_URL: redisUrl ?? '' };
    const one = await startSessionApp(env, clock);
    const two = await startSessionApp({ ...env, DATA_DIR: one.config.dataDir }, clock);
    try {
      expect(one.app.get(SessionStore)).toBeInstanceOf(RedisSessionStore);
      const user = await createUser(one);
      const session = await signIn(one, user);
      const other = await signIn(one, user);
      await request(two.http).get('/auth/me').set('Cookie', session.cookie).expect(200);
      await request(two.http)
        .delete(`/sessions/${other.id}`)
        .set('Cookie', session.cookie)
        .set('X-CSRF-Token', session.csrfToken)
        .expect(204);
      await request(one.http).get('/auth/me').set('Cookie', other.cookie).expect(401);
      clock.advance(30 * MINUTE);
      await request(one.http).get('/auth/me').set('Cookie', session.cookie).expect(401);
    } finally {
      await two.close();
      await one.close();
    }
  });
});
