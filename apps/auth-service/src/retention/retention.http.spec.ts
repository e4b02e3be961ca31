import request from 'supertest';
import { DataSource } from 'typeorm';
import { SessionEntity } from '../sessions/session.entity';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import {
  createUser,
  MINUTE,
  PASSWORD,
  signIn,
  startSessionApp,
} from '../sessions/sessions.test-kit';
import { RefreshTokenEntity } from '../tokens/refresh-token.entity';
import { RetentionService } from './retention.service';

jest.setTimeout(60_000);

interface Tokens {
  accessToken: string;
  refreshToken: string;
}

describe('retention job in the running app (the whole AppModule)', () => {
  let t: SessionTestApp;
  const http = () => request(t.http);

  beforeAll(async () => {
    t = await startSessionApp({ REFRESH_TOKEN_TTL: '1h', REFRESH_REUSE_INTERVAL: '0s' });
  });

  afterAll(() => t?.close());

  async function login(email: string): Promise<Tokens> {
    return (await http().post('/auth/login').send({ email, password: PASSWORD }).expect(200))
      .body as Tokens;
  }

  const refresh = (refreshToken: string) => http().post('/auth/refresh').send({ refreshToken });

  it('removes what has ended while a live login still detects the reuse of its rotated token', async () => {
    const user = await createUser(t);
    const other = await createUser(t);
    const gone = await login(other.email);
    await http().post('/auth/logout').send({ refreshToken: gone.refreshToken }).expect(204);
    await signIn(t, other);

    // Each refresh token lives an hour; rotated every 50 minutes, the first one is long expired
    // by the end, the third is rotated but still unexpired.
    const chain = [(await login(user.email)).refreshToken];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(50 * MINUTE);
      chain.push(((await refresh(chain[i]).expect(200)).body as Tokens).refreshToken);
    }
    const tokenRows = t.app.get(DataSource).getRepository(RefreshTokenEntity);
    const before = await tokenRows.count();

    const result = await t.app.get(RetentionService).run();

    expect(result.outcome).toBe('done');
    // The logged-out login's token and the first token of the chain.
    expect(result.deleted.refresh_tokens).toBe(2);
    expect(result.deleted.refresh_families).toBe(1);
    expect(result.deleted.sessions).toBe(1);
    expect(await tokenRows.count()).toBe(before - 2);
    expect(await t.app.get(DataSource).getRepository(SessionEntity).count()).toBe(0);

    const metrics = (await http().get('/metrics').expect(200)).text;
    expect(metrics).toContain(
      'keycard_retention_rows_deleted_total{table="refresh_tokens",service="auth-service"} 2',
    );

    await refresh(chain[0]).expect(401); // expired before, unknown now: the same answer
    await refresh(chain[2]).expect(401); // rotated and unexpired: reuse, the login is revoked
    await refresh(chain[3]).expect(401);
  });
});
