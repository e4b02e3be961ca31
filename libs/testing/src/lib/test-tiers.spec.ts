import { join, relative } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');

// The workspace's Jest tier rules (jest.tiers.js, used by jest.preset.js), read as CI reads them.
const tiers = require(join(root, 'jest.tiers.js')) as {
  backendIndependentHttpSpecs(): string[];
};

describe('the integration tier (npm run test:integration)', () => {
  const independent = tiers.backendIndependentHttpSpecs().map((file) => relative(root, file));

  it('leaves to npm test the HTTP specs that boot the app on SQLite whatever the variables say', () => {
    expect(independent).toEqual(
      expect.arrayContaining([
        'apps/auth-service/src/auth/auth.http.spec.ts',
        'apps/auth-service/src/oauth/oauth.http.spec.ts',
        'libs/observability/src/lib/metrics/metrics.http.spec.ts',
      ]),
    );
    expect(independent.every((file) => file.endsWith('.http.spec.ts'))).toBe(true);
  });

  it('keeps the HTTP specs that read TEST_DATABASE_URL / TEST_REDIS_URL, directly or through a test kit', () => {
    for (const file of [
      // testRedisUrl() in the spec itself
      'apps/auth-service/src/sessions/session-redis.http.spec.ts',
      // testBackendUrls() in the spec itself
      'apps/auth-service/src/account/account-flows.http.spec.ts',
      // only through account.test-kit.ts, which reads them
      'apps/auth-service/src/account/account-pages.http.spec.ts',
      'apps/auth-service/src/mfa/mfa-login-cost.http.spec.ts',
      'apps/resource-service/src/app.api-keys.http.spec.ts',
    ]) {
      expect(independent).not.toContain(file);
    }
  });
});
