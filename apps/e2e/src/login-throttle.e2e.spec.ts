import type { ErrorResponse, RegisteredUser, TokenPair } from './support/api';
import { registerUser } from './support/api';
import { postFrom, randomLoopbackAddress } from './support/http';
import type { Stack } from './support/stack';
import { startStack } from './support/stack';

const MAX_FAILURES = 3;
const MAX_FAILURES_PER_IP = 5;
const LOCKOUT_SECONDS = 60;

/**
 * Password-login throttling (API.md: "429 with Retry-After after too many failures"). Each test
 * sends from its own random loopback address, so the per-IP counter starts at zero even on a
 * Redis shared with earlier runs.
 */
describe('login throttling of the built auth-service', () => {
  let stack: Stack;
  let user: RegisteredUser;

  beforeAll(async () => {
    stack = await startStack({
      label: 'login-throttle',
      authEnv: {
        LOGIN_MAX_FAILURES: String(MAX_FAILURES),
        LOGIN_MAX_FAILURES_PER_IP: String(MAX_FAILURES_PER_IP),
        LOGIN_LOCKOUT: `${LOCKOUT_SECONDS}s`,
      },
    });
    user = await registerUser(stack);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const loginFrom = (address: string, email: string, password: string) =>
    postFrom<TokenPair & ErrorResponse>(address, `${stack.auth.url}/auth/login`, {
      email,
      password,
    });

  function expectLocked(response: { status: number; headers: Headers }) {
    expect(response.status).toBe(429);
    const retryAfter = Number(response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(LOCKOUT_SECONDS);
  }

  it('does not count successful logins as failures: more than LOGIN_MAX_FAILURES_PER_IP logins from one address all succeed', async () => {
    const address = randomLoopbackAddress();
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES_PER_IP + 3; i++) {
      statuses.push((await loginFrom(address, user.email, user.password)).status);
    }
    expect(statuses).toEqual(Array(MAX_FAILURES_PER_IP + 3).fill(200));
  });

  it('locks an account after LOGIN_MAX_FAILURES wrong passwords: 429 with Retry-After, even for the right password', async () => {
    const victim = await registerUser(stack);
    const address = randomLoopbackAddress();
    for (let i = 0; i < MAX_FAILURES; i++) {
      expect((await loginFrom(address, victim.email, `${victim.password}x`)).status).toBe(401);
    }
    expectLocked(await loginFrom(address, victim.email, victim.password));
    // The lock is the account's: another address is refused too.
    expectLocked(await loginFrom(randomLoopbackAddress(), victim.email, victim.password));
  });

  it('locks an address after LOGIN_MAX_FAILURES_PER_IP failures across accounts, not other addresses', async () => {
    const address = randomLoopbackAddress();
    for (let i = 0; i < MAX_FAILURES_PER_IP; i++) {
      const guess = await loginFrom(address, `nobody-${i}-${user.email}`, user.password);
      expect(guess.status).toBe(401);
    }
    expectLocked(await loginFrom(address, user.email, user.password));
    expect((await loginFrom(randomLoopbackAddress(), user.email, user.password)).status).toBe(200);
  });
});
