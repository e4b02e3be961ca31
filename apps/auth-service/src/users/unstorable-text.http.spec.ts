import request from 'supertest';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import type { SessionTestApp, SignedIn } from '../sessions/sessions.test-kit';
import { createUser, signIn, startSessionApp } from '../sessions/sessions.test-kit';

/*
 * Text that PostgreSQL cannot hold (U+0000) in a request's search, name or identifier: a 400
 * `validation_failed`, never the 500 that its refusal of the statement used to become. SQLite
 * stores and compares such text, so there the same requests are ordinary answers; neither
 * database lets one end as a 5xx. On SQLite and, when TEST_DATABASE_URL is set, PostgreSQL.
 */
const backends = testBackendUrls();

const REFUSED = {
  statusCode: 400,
  error: 'validation_failed',
  message: ['text must not contain the character U+0000'],
};

describe.each(backends)('U+0000 in a request on %s', (backend, url) => {
  let database: TestDatabase | undefined;
  let t: SessionTestApp;
  let admin: SignedIn;

  beforeAll(async () => {
    database = url ? await createTestPostgresDatabase(url, 'unstorable') : undefined;
    t = await startSessionApp(database ? { DATABASE_URL: database.url } : {});
    admin = await signIn(t, await createUser(t, ['admin', 'user']));
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await database?.drop();
  });

  const asAdmin = (path: string) =>
    request(t.http).get(path).set('Cookie', admin.cookie).set('X-CSRF-Token', admin.csrfToken);

  it('in an admin search, a name and an audit filter', async () => {
    const answers = [
      await asAdmin('/admin/users?q=a%00b'),
      await asAdmin('/admin/users?q=*a%00b'),
      await asAdmin('/admin/users?email=a%00'),
      await asAdmin('/admin/audit?actorId=a%00b'),
      await request(t.http)
        .post('/auth/register')
        .send({
          email: `nul-${Date.now()}@example.com`,
          password: 'a long passphrase 17',
          name: 'Nul\u0000',
        }),
    ];
    for (const [i, answer] of answers.entries()) {
      if (backend === 'postgres') {
        expect({ i, status: answer.status, body: answer.body }).toEqual({
          i,
          status: 400,
          body: REFUSED,
        });
      } else {
        expect({ i, status: answer.status }).toEqual({ i, status: expect.any(Number) });
        expect(answer.status).toBeLessThan(500);
      }
    }
  });

  it('leaves text without it alone', async () => {
    await asAdmin('/admin/users?q=a%2500b').expect(200);
  });
});
