import { Secret, TOTP } from 'otpauth';
import { login, registerUser } from './support/api';
import type { Stack } from './support/stack';
import { startStack } from './support/stack';

// RFC 9470 step-up across the BUILT services: the resource-service's GET /me/step-up refuses a
// password-only sign-in with the challenge and answers once the user signed in with a second factor.
describe('step-up at the resource-service', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ label: 'step-up' });
  }, 60_000);
  afterAll(() => stack?.stop());

  const post = async (path: string, body: unknown, token?: string) =>
    fetch(`${stack.auth.url}${path}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });
  const stepUp = (token: string) =>
    fetch(`${stack.resource.url}/me/step-up`, { headers: { authorization: `Bearer ${token}` } });

  it('401 with the RFC 9470 challenge for a password-only token, 200 after a TOTP sign-in', async () => {
    const user = await registerUser(stack, 'Annie Easley');
    const { accessToken } = await login(stack, user);
    const refused = await stepUp(accessToken);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_user_authentication", error_description="A second factor is required", max_age="600"',
    );

    const started = (await (await post('/auth/mfa/totp', {}, accessToken)).json()) as {
      secret: string;
    };
    const totp = new TOTP({
      secret: Secret.fromBase32(started.secret),
      algorithm: 'SHA1',
      digits: 6,
      period: 30,
    });
    const step = Math.floor(Date.now() / 30_000);
    const confirm = await post('/auth/mfa/totp/confirm', { code: totp.generate() }, accessToken);
    expect(confirm.status).toBe(200);

    const first = await post('/auth/login', { email: user.email, password: user.password });
    expect(first.status).toBe(401);
    const { mfaToken } = (await first.json()) as { mfaToken: string };
    // The next step's code: the confirming code's step is used up, one step ahead is accepted.
    const code = totp.generate({ timestamp: (step + 1) * 30_000 + 1 });
    const second = await post('/auth/login/mfa', { mfaToken, code });
    expect(second.status).toBe(200);
    const tokens = (await second.json()) as { accessToken: string };
    const allowed = await stepUp(tokens.accessToken);
    expect(allowed.status).toBe(200);
    expect(await allowed.json()).toMatchObject({ sub: user.user.id, amr: ['pwd', 'otp', 'mfa'] });
  }, 60_000);
});
