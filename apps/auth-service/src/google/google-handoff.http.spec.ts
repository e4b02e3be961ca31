import { Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import request from 'supertest';
import { DataSource } from 'typeorm';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { setCookieFor, squash, startSessionApp } from '../sessions/sessions.test-kit';
import type { MockGoogle } from './google.test-kit';
import {
  ALLOWED_APP,
  authorize,
  callback,
  googleEnv,
  googleSignIn,
  startGoogle,
  startMockGoogle,
} from './google.test-kit';
import { GoogleGrantEntity } from './google-grant.entity';

interface TokenBody {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

describe('Sign in with Google: the SPA hand-off code (mode=code)', () => {
  let mock: MockGoogle;
  let t: SessionTestApp;
  const returnTo = `${ALLOWED_APP}/auth/callback?from=login`;

  beforeAll(async () => {
    mock = await startMockGoogle();
    t = await startSessionApp(googleEnv(mock));
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await mock?.stop();
  });

  beforeEach(() => {
    const id = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
    mock.account = { sub: `spa-${id}`, email: `spa-${id}@example.test`, email_verified: true };
  });

  async function handOff(): Promise<string> {
    const { response } = await googleSignIn(
      t,
      `?mode=code&returnTo=${encodeURIComponent(returnTo)}`,
    );
    expect(response.status).toBe(303);
    // No browser session and no token in the URL: only the one-time code.
    expect(setCookieFor(response)).toBeUndefined();
    const location = new URL(response.headers['location'] as string);
    expect(`${location.origin}${location.pathname}`).toBe(`${ALLOWED_APP}/auth/callback`);
    expect([...location.searchParams.keys()].sort()).toEqual(['code', 'from']);
    const code = location.searchParams.get('code') ?? '';
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    return code;
  }

  it('redirects to returnTo?code=… and the code buys one token pair; a second exchange gets 401', async () => {
    const code = await handOff();
    const first = await request(t.http).post('/auth/google/exchange').send({ code }).expect(200);
    const body = first.body as TokenBody;
    expect(body).toMatchObject({ tokenType: 'Bearer', expiresIn: 900 });
    expect(body.refreshToken).toMatch(/^rt_/);
    expect(first.headers['cache-control']).toBe('no-store');
    const me = await request(t.http)
      .get('/auth/me')
      .set('Authorization', `Bearer ${body.accessToken}`)
      .expect(200);
    expect((me.body as { email: string }).email).toBe(mock.account.email);
    const second = await request(t.http).post('/auth/google/exchange').send({ code }).expect(401);
    expect(second.body).toMatchObject({ statusCode: 401 });
  });

  it('expires the code after 60 seconds (ManualClock)', async () => {
    const code = await handOff();
    t.clock.advance(61_000);
    await request(t.http).post('/auth/google/exchange').send({ code }).expect(401);
  });

  it('refuses unknown and malformed codes', async () => {
    await request(t.http)
      .post('/auth/google/exchange')
      .send({ code: 'A'.repeat(43) })
      .expect(401);
    await request(t.http).post('/auth/google/exchange').send({ code: 'short' }).expect(400);
    await request(t.http).post('/auth/google/exchange').send({}).expect(400);
  });

  it.each([
    'https://evil.com/cb',
    '//evil.com/cb',
    'javascript:alert(1)',
    '',
    // Dot segments that normalise to a protocol-relative path (issue 14, finding 1).
    '/..//evil.example/steal',
    '/.//evil.example/steal',
    '/%2e%2e//evil.example/steal',
    `${ALLOWED_APP}/..//evil.example/steal`,
  ])(
    'refuses mode=code with returnTo %p before going to the provider (400 page)',
    async (target) => {
      const response = await request(t.http)
        .get(`/auth/google?mode=code&returnTo=${encodeURIComponent(target)}`)
        .expect(400);
      expect(squash(response.text)).toContain('asks to go somewhere we do not send people');
      expect(setCookieFor(response, 'keycard.google')).toBeUndefined();
    },
  );

  it('sends no code anywhere when the stored returnTo is hostile (written before this rule): 400 page', async () => {
    const started = await startGoogle(t, `?mode=code&returnTo=${encodeURIComponent(returnTo)}`);
    const state = started.location.searchParams.get('state') ?? '';
    const grants = t.app.get(DataSource).getRepository(GoogleGrantEntity);
    const keyHash = createHash('sha256').update(state).digest('hex');
    const grant = await grants.findOneByOrFail({ keyHash });
    await grants.update(
      { keyHash },
      { payload: { ...grant.payload, returnTo: '/..//evil.example/steal' } },
    );
    const response = await callback(t, await authorize(started.location), started.stateCookie);
    expect(response.status).toBe(400);
    expect(response.headers['location']).toBeUndefined();
    expect(squash(response.text)).toContain('asks to go somewhere we do not send people');
  });

  it('never logs the code, the state or the provider tokens', async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]): void => void lines.push(args.map(String).join(' '));
    const spies = (['log', 'warn', 'error', 'debug', 'verbose'] as const).map((level) =>
      jest.spyOn(Logger.prototype, level).mockImplementation(capture),
    );
    let providerTokens: string[] = [];
    mock.server.service.once('beforeResponse', (response: { body: Record<string, unknown> }) => {
      providerTokens = Object.values(response.body).filter(
        (v): v is string => typeof v === 'string' && v.length > 20,
      );
    });
    try {
      const { callbackUrl } = await googleSignIn(
        t,
        `?mode=code&returnTo=${encodeURIComponent(returnTo)}`,
      );
      const session = await googleSignIn(t, '?returnTo=/account');
      expect(session.response.status).toBe(303);
      const secrets = [
        callbackUrl.searchParams.get('code') ?? '',
        callbackUrl.searchParams.get('state') ?? '',
        ...providerTokens,
      ];
      expect(providerTokens.length).toBeGreaterThanOrEqual(2);
      expect(lines.length).toBeGreaterThan(0);
      for (const secret of secrets) {
        for (const line of lines) expect(line).not.toContain(secret);
      }
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });
});
