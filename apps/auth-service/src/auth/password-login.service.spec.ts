import { ErrorCode, ManualClock, MemoryRateLimitStore } from '@keycard/common';
import { recordingAudit, testMetrics } from '../testing/test-recorders';
import { LoginThrottleService } from '../throttle/login-throttle.service';
import { RefusalWindows } from '../throttle/refusal-windows';
import type { UserEntity } from '../users/user.entity';
import type { UsersService } from '../users/users.service';
import { LoginAuditService } from './login-audit.service';
import { PasswordLoginService } from './password-login.service';

const USER = { id: 'u-1', email: 'ada@example.com' } as UserEntity;

/** The password check against a database that is up (`'ok'`) or stopped (`'down'`). */
function setup(limits: { perAccount: number; perIp: number }) {
  let database: 'ok' | 'down' = 'ok';
  const users = {
    async verifyCredentials(_email: string, password: string): Promise<UserEntity | null> {
      if (database === 'down')
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
          code: 'ECONNREFUSED',
        });
      return password === 'right' ? USER : null;
    },
  } as unknown as UsersService;
  const store = new MemoryRateLimitStore(new ManualClock());
  const metrics = testMetrics();
  const throttle = new LoginThrottleService(
    store,
    {
      loginMaxFailures: limits.perAccount,
      loginMaxFailuresPerIp: limits.perIp,
      loginLockout: 900,
    },
    metrics,
  );
  const loginAudit = new LoginAuditService(
    recordingAudit().audit,
    users,
    new RefusalWindows(store),
  );
  const login = new PasswordLoginService(users, throttle, loginAudit, metrics, {
    requireVerifiedEmail: false,
  });
  return {
    login: (password: string) => login.authenticate(USER.email, password, '198.51.100.7'),
    setDatabase: (state: 'ok' | 'down') => (database = state),
  };
}

async function outcome(attempt: Promise<unknown>): Promise<string> {
  return attempt.then(
    () => 'ok',
    (error: { code?: string }) => error.code ?? 'error',
  );
}

// Issue 14, finding 13: a dependency fault must not turn into a login lockout.
describe('PasswordLoginService and the login limits', () => {
  it('does not count attempts that failed because the database was down', async () => {
    const t = setup({ perAccount: 2, perIp: 3 });
    t.setDatabase('down');
    for (let i = 0; i < 20; i++) expect(await outcome(t.login('right'))).toBe('ECONNREFUSED');
    t.setDatabase('ok');
    expect(await outcome(t.login('right'))).toBe('ok');
  });

  it('still counts wrong passwords, and only those', async () => {
    const t = setup({ perAccount: 2, perIp: 50 });
    t.setDatabase('down');
    await outcome(t.login('wrong'));
    t.setDatabase('ok');
    expect(await outcome(t.login('wrong'))).toBe(ErrorCode.InvalidCredentials);
    expect(await outcome(t.login('wrong'))).toBe(ErrorCode.InvalidCredentials);
    expect(await outcome(t.login('right'))).toBe(ErrorCode.RateLimited);
  });
});
