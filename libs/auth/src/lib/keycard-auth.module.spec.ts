import { Test } from '@nestjs/testing';
import type { ApiKeyOptions } from './options';
import { resolveAuthOptions } from './options';
import { KeycardAuthModule } from './keycard-auth.module';
import { AccessTokenVerifier } from './access-token.verifier';
import { RemoteJwksKeyResolver } from './remote-jwks.key-resolver';
import { KEYCARD_KEY_RESOLVER } from './options';

const base = { issuer: 'https://issuer.test', audience: 'keycard' };
const apiKeys = (overrides: Partial<ApiKeyOptions> = {}): ApiKeyOptions => ({
  clientId: 'svc',
  clientSecret: 'svc-secret-0123456789',
  ...overrides,
});

describe('resolveAuthOptions', () => {
  it('fills in the defaults', () => {
    expect(resolveAuthOptions(base)).toMatchObject({
      algorithms: ['RS256'],
      clockToleranceSeconds: 30,
      jwksMinRefetchIntervalSeconds: 30,
      tokenCacheMaxEntries: 10_000,
      fallbackAuthenticators: [],
    });
  });

  it.each([
    ['another algorithm', { algorithms: ['HS256'] }, /algorithms/],
    ['two algorithms', { algorithms: ['RS256', 'HS256'] }, /algorithms/],
    ['a leeway over 30 s', { clockToleranceSeconds: 31 }, /clockToleranceSeconds/],
    ['a negative cache size', { tokenCacheMaxEntries: -1 }, /tokenCacheMaxEntries/],
    ['no issuer', { issuer: '' }, /issuer/],
    ['no audience', { audience: '' }, /audience/],
    [
      'apiKeys without a client secret',
      { apiKeys: { clientId: 'svc', clientSecret: '' } },
      /clientSecret/,
    ],
    [
      'apiKeys next to an apiKeyVerifier',
      { apiKeys: apiKeys(), apiKeyVerifier: { verify: async () => null } },
      /either/,
    ],
    ['an API key cache TTL over 300 s', { apiKeys: apiKeys({ cacheTtlSeconds: 301 }) }, /cacheTtl/],
    [
      'a default rate limit of 0',
      { apiKeys: apiKeys({ rateLimit: { defaultPerMinute: 0 } }) },
      /defaultPerMinute/,
    ],
    [
      'a usage flush interval of 0',
      { apiKeys: apiKeys({ usage: { flushIntervalSeconds: 0 } }) },
      /flushIntervalSeconds/,
    ],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => resolveAuthOptions({ ...base, ...(overrides as object) })).toThrow(message);
  });
});

describe('KeycardAuthModule', () => {
  it('refuses a non-RS256 configuration at module init', async () => {
    const compiling = Test.createTestingModule({
      imports: [
        KeycardAuthModule.forRootAsync({
          useFactory: () => ({ ...base, algorithms: ['HS256'] as unknown as ['RS256'] }),
        }),
      ],
    }).compile();
    await expect(compiling).rejects.toThrow(/algorithms/);
  });

  it('starts with a RemoteJwksKeyResolver even when the issuer is down', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        KeycardAuthModule.forRootAsync({
          useFactory: () => ({ issuer: 'http://127.0.0.1:9', audience: 'keycard' }),
        }),
      ],
    }).compile();
    moduleRef.useLogger(false);
    await moduleRef.init();
    expect(moduleRef.get(KEYCARD_KEY_RESOLVER)).toBeInstanceOf(RemoteJwksKeyResolver);
    expect(moduleRef.get(AccessTokenVerifier)).toBeInstanceOf(AccessTokenVerifier);
    await moduleRef.close();
  });
});
