import request from 'supertest';
import { startServiceApp, type ServiceAppUnderTest } from '@keycard/testing';
import { createApp } from '../app.factory';

/*
 * RFC 9470 step-up at the resource-service over HTTP: GET /me/step-up (a second factor within
 * 10 minutes) and MFA_REQUIRED_ROLES=admin on GET /admin/stats, with tokens minted by a stand-in
 * issuer carrying whatever `amr` and `auth_time` each case needs.
 */
const MINUTE = 60;
const CHALLENGE = 'Bearer error="insufficient_user_authentication"';

describe('step-up at the resource-service', () => {
  let running: ServiceAppUnderTest;
  const http = () => request(running.app.getHttpServer());
  const now = () => Math.floor(Date.now() / 1000);
  const token = (roles: string[], amr: string[], authTime: number) =>
    running.issuer.token({ sub: 'ada', roles, amr, auth_time: authTime });

  beforeAll(async () => {
    running = await startServiceApp(createApp, {
      settings: ['AUTH_INTERNAL_URL', 'RESOURCE_DATABASE_URL', 'REDIS_URL', 'MFA_REQUIRED_ROLES'],
      env: { MFA_REQUIRED_ROLES: 'admin' },
    });
  });

  afterAll(() => running?.close());

  it.each([
    [
      'a password-only sign-in',
      ['pwd'],
      0,
      'error_description="A second factor is required", max_age="600"',
    ],
    [
      'a second factor 11 minutes ago',
      ['pwd', 'otp', 'mfa'],
      11 * MINUTE,
      'error_description="A more recent sign-in is required", max_age="600"',
    ],
  ])('GET /me/step-up refuses %s with the RFC 9470 challenge', async (_name, amr, age, rest) => {
    const response = await http()
      .get('/me/step-up')
      .auth(token(['user'], amr, now() - age), { type: 'bearer' })
      .expect(401);
    expect(response.headers['www-authenticate']).toBe(`${CHALLENGE}, ${rest}`);
    expect(response.body).toMatchObject({ error: 'insufficient_user_authentication' });
  });

  it('GET /me/step-up answers a recent second-factor sign-in', async () => {
    const authTime = now() - 60;
    const response = await http()
      .get('/me/step-up')
      .auth(token(['user'], ['pwd', 'otp', 'mfa'], authTime), { type: 'bearer' })
      .expect(200);
    expect(response.body).toEqual({ sub: 'ada', amr: ['pwd', 'otp', 'mfa'], authTime });
  });

  it('MFA_REQUIRED_ROLES=admin: an admin route needs a second factor; other routes do not', async () => {
    const passwordOnly = token(['user', 'admin'], ['pwd'], now());
    const refused = await http()
      .get('/admin/stats')
      .auth(passwordOnly, { type: 'bearer' })
      .expect(401);
    expect(refused.headers['www-authenticate']).toBe(
      `${CHALLENGE}, error_description="A second factor is required"`,
    );
    await http().get('/me').auth(passwordOnly, { type: 'bearer' }).expect(200);
    await http()
      .get('/admin/stats')
      .auth(token(['user', 'admin'], ['pwd', 'otp', 'mfa'], now()), { type: 'bearer' })
      .expect(200);
    // Without the role it stays a 403, with or without a second factor.
    await http()
      .get('/admin/stats')
      .auth(token(['user'], ['pwd', 'otp', 'mfa'], now()), { type: 'bearer' })
      .expect(403);
  });
});
