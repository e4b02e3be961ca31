import { ConfigError, MemoryRateLimitStore, SystemClock } from '@keycard/common';
import { Registry } from 'prom-client';
import { RemoteJwksKeyResolver } from '../remote-jwks.key-resolver';
import { loadServiceAuthSettings, serviceAuthOptions } from './service-auth';

const CLIENT = { AUTH_CLIENT_ID: 'billing', AUTH_CLIENT_SECRET: 'billing-secret-0123456789' };
const metrics = { jwksFetches: { inc: jest.fn() }, registry: new Registry() };

describe('loadServiceAuthSettings', () => {
  it('takes the service default audience unless AUTH_AUDIENCE is set', () => {
    expect(loadServiceAuthSettings({}, 'billing').audience).toBe('billing');
    expect(loadServiceAuthSettings({ AUTH_AUDIENCE: 'x' }, 'billing').audience).toBe('x');
  });

  it('wants both client settings or neither', () => {
    expect(() => loadServiceAuthSettings({ AUTH_CLIENT_ID: 'billing' })).toThrow(
      new ConfigError('AUTH_CLIENT_SECRET', 'is required when AUTH_CLIENT_ID is set'),
    );
    expect(() => loadServiceAuthSettings({ AUTH_CLIENT_SECRET: 's' })).toThrow(ConfigError);
  });
});

describe('serviceAuthOptions', () => {
  const store = new MemoryRateLimitStore(new SystemClock());

  it('verifies bearer tokens with a counted JWKS resolver and follows revocations', () => {
    const options = serviceAuthOptions(loadServiceAuthSettings({ AUTH_ISSUER: 'https://a.test' }), {
      metrics,
      rateLimitStore: store,
    });
    expect(options.issuer).toBe('https://a.test');
    expect(options.keyResolver).toBeInstanceOf(RemoteJwksKeyResolver);
    expect(options.apiKeys).toBeUndefined(); // no client of its own: X-API-Key is ignored
    expect(options.revocation).toMatchObject({
      failClosed: false,
      metricsRegistry: metrics.registry,
    });
  });

  it('accepts API keys with a client and a rate-limit store, not without the store', () => {
    const settings = loadServiceAuthSettings({ ...CLIENT, API_KEY_RATE_LIMIT: '50' });
    const options = serviceAuthOptions(settings, {
      metrics,
      rateLimitStore: store,
      redisUrl: 'redis://r',
    });
    expect(options.apiKeys).toMatchObject({
      clientId: 'billing',
      rateLimit: { store, defaultPerMinute: 50, failuresPerIp: 20, headers: 'near-limit' },
      usage: { metricsRegistry: metrics.registry },
    });
    expect(options.revocation).toMatchObject({ clientId: 'billing', redisUrl: 'redis://r' });
    expect(serviceAuthOptions(settings, { metrics }).apiKeys).toBeUndefined();
  });
});
