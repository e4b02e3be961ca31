import { ConfigError } from '@keycard/common';
import { loadObservabilityConfig } from '@keycard/observability';
import { resolve } from 'node:path';
import { loadResourceConfig } from './resource.config';

describe('loadResourceConfig', () => {
  it('has working defaults', () => {
    expect(loadResourceConfig({})).toEqual({
      port: 3001,
      host: '0.0.0.0',
      issuer: 'http://localhost:3000',
      internalUrl: undefined,
      audience: 'keycard',
      dataDir: resolve('./data'),
      databaseUrl: undefined,
      redisUrl: undefined,
      redisTimeout: 1,
      databaseTimeout: 3,
      jwksMinRefetchInterval: 30,
      apiKeyCacheTtl: 5,
      authClientId: undefined,
      authClientSecret: undefined,
      apiKeyRateLimit: 600,
      apiKeyRateLimitHeaders: 'near-limit',
      apiKeyFailureLimit: 20,
      apiKeyEnvironments: ['live', 'test'],
      revocationFailClosed: false,
      mfaRequiredRoles: [],
      trustProxy: false,
      // LOG_LEVEL, METRICS_TOKEN, SHUTDOWN_*: @keycard/observability's, with its defaults.
      observability: loadObservabilityConfig({}),
    });
  });

  it('reads the settings', () => {
    const config = loadResourceConfig({
      RESOURCE_PORT: '4001',
      AUTH_ISSUER: 'https://auth.example.com/',
      AUTH_INTERNAL_URL: 'http://auth:3000',
      JWKS_MIN_REFETCH_INTERVAL: '1m',
      RESOURCE_DATABASE_URL: 'postgres://u:p@db:5432/resource',
      REDIS_URL: 'redis://redis:6379',
      AUTH_CLIENT_ID: 'resource-service',
      AUTH_CLIENT_SECRET: 'secret',
      API_KEY_RATE_LIMIT_HEADERS: 'always',
      API_KEY_FAILURE_LIMIT: '0',
      API_KEY_ENVIRONMENTS: ' Live ',
      TRUST_PROXY: 'true',
      REVOCATION_FAIL_CLOSED: 'true',
      MFA_REQUIRED_ROLES: 'admin, auditor',
    });
    expect(config).toMatchObject({
      revocationFailClosed: true,
      mfaRequiredRoles: ['admin', 'auditor'],
      apiKeyRateLimitHeaders: 'always',
      apiKeyFailureLimit: 0,
      apiKeyEnvironments: ['live'],
      trustProxy: true,
      port: 4001,
      issuer: 'https://auth.example.com',
      internalUrl: 'http://auth:3000',
      jwksMinRefetchInterval: 60,
      databaseUrl: 'postgres://u:p@db:5432/resource',
      authClientId: 'resource-service',
    });
  });

  it('finds the auth-service on AUTH_PORT when only the ports change', () => {
    const config = loadResourceConfig({ AUTH_PORT: '4000', RESOURCE_PORT: '4001' });
    expect(config).toMatchObject({ issuer: 'http://localhost:4000', port: 4001 });
  });

  it.each([
    ['RESOURCE_PORT', { RESOURCE_PORT: '70000' }],
    ['AUTH_ISSUER', { AUTH_ISSUER: 'ftp://x' }],
    ['AUTH_INTERNAL_URL', { AUTH_INTERNAL_URL: 'not a url' }],
    ['RESOURCE_DATABASE_URL', { RESOURCE_DATABASE_URL: 'mysql://db/x' }],
    ['REDIS_URL', { REDIS_URL: 'http://redis' }],
    ['JWKS_MIN_REFETCH_INTERVAL', { JWKS_MIN_REFETCH_INTERVAL: 'soon' }],
    ['REDIS_TIMEOUT', { REDIS_TIMEOUT: '0' }],
    ['REDIS_TIMEOUT', { REDIS_TIMEOUT: 'never' }],
    ['DATABASE_TIMEOUT', { DATABASE_TIMEOUT: '0s' }],
    ['DATABASE_TIMEOUT', { DATABASE_TIMEOUT: '1h' }],
    ['API_KEY_CACHE_TTL', { API_KEY_CACHE_TTL: '-1' }],
    ['API_KEY_CACHE_TTL', { API_KEY_CACHE_TTL: '6m' }],
    ['API_KEY_RATE_LIMIT', { API_KEY_RATE_LIMIT: '0' }],
    ['API_KEY_RATE_LIMIT', { API_KEY_RATE_LIMIT: '100001' }],
    ['API_KEY_RATE_LIMIT_HEADERS', { API_KEY_RATE_LIMIT_HEADERS: 'sometimes' }],
    ['API_KEY_FAILURE_LIMIT', { API_KEY_FAILURE_LIMIT: '-1' }],
    ['API_KEY_FAILURE_LIMIT', { API_KEY_FAILURE_LIMIT: 'many' }],
    ['API_KEY_ENVIRONMENTS', { API_KEY_ENVIRONMENTS: 'live,prod' }],
    ['API_KEY_ENVIRONMENTS', { API_KEY_ENVIRONMENTS: 'sandbox' }],
    ['AUTH_CLIENT_SECRET', { AUTH_CLIENT_ID: 'id' }],
    ['AUTH_CLIENT_ID', { AUTH_CLIENT_SECRET: 'secret' }],
    ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
    ['SHUTDOWN_DRAIN', { SHUTDOWN_DRAIN: 'briefly' }],
    ['SHUTDOWN_TIMEOUT', { SHUTDOWN_TIMEOUT: 'later' }],
  ])('names %s when it is wrong', (variable, env) => {
    expect(() => loadResourceConfig(env)).toThrow(ConfigError);
    expect(() => loadResourceConfig(env)).toThrow(new RegExp(`^${variable}:`));
  });
});
