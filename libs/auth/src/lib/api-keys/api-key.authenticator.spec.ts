import { generateApiKey, ManualClock, MemoryRateLimitStore } from '@keycard/common';
import {
  activeKeyAnswer,
  CLIENT_ID,
  CLIENT_SECRET,
  IntrospectionServer,
  startIntrospectionServer,
} from '../../testing/introspection-server';
import { ApiKeyRateLimiter } from './api-key-rate-limiter';
import { ApiKeyUsageReporter } from './api-key-usage.reporter';
import { ApiKeyAuthenticator } from './api-key.authenticator';
import { IntrospectionApiKeyVerifier } from './introspection-api-key.verifier';

describe('ApiKeyAuthenticator (cached path)', () => {
  let server: IntrospectionServer;
  let clock: ManualClock;
  let usage: ApiKeyUsageReporter;
  let authenticator: ApiKeyAuthenticator;
  const key = generateApiKey('sk', 'live').key;

  beforeEach(async () => {
    server = await startIntrospectionServer();
    server.handler = () => ({ status: 200, body: activeKeyAnswer({ rate_limit: 3 }) });
    clock = new ManualClock(Date.UTC(2026, 10, 28, 12));
    const common = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock };
    usage = new ApiKeyUsageReporter({ endpoint: `${server.url}/usage`, ...common });
    authenticator = new ApiKeyAuthenticator({
      verifier: new IntrospectionApiKeyVerifier({ issuer: server.url, ...common }),
      limiter: new ApiKeyRateLimiter(new MemoryRateLimitStore(clock), 600, clock),
      usage,
      setHeader: () => undefined,
      clock,
    });
  });

  afterEach(() => server.close());

  it('answers a known key at once, reading the clock once for answer, window and usage', async () => {
    expect(authenticator.authenticateNow(key, {})).toBeUndefined(); // not known yet: no count
    const principal = await authenticator.authenticate(key, {});
    authenticator.recordUse(principal);
    const reads = jest.spyOn(clock, 'now');
    clock.advance(1500);
    const again = authenticator.authenticateNow(key, {});
    expect(again).toBe(principal);
    authenticator.recordHotUse(principal);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(server.introspections).toHaveLength(1);
    const [line] = (usage as unknown as { pending: Map<string, unknown> }).pending.values();
    expect(line).toMatchObject({ count: 2, lastUsedAt: clock.now() });
  });

  it('applies the limit of the cached answer on the cached path', async () => {
    await authenticator.authenticate(key, {});
    expect(authenticator.authenticateNow(key, {})).toBeDefined(); // 2 of 3
    expect(authenticator.authenticateNow(key, {})).toBeDefined(); // 3 of 3
    expect(() => authenticator.authenticateNow(key, {})).toThrow(
      expect.objectContaining({ status: 429 }),
    );
  });
});
