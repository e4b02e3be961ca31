import { generateApiKey, hashApiKey, ManualClock, MemoryRateLimitStore } from '@keycard/common';
import { inspect } from 'node:util';
import type { IntrospectionServer } from '../../testing/introspection-server';
import {
  activeKeyAnswer,
  CLIENT_ID,
  CLIENT_SECRET,
  startIntrospectionServer,
} from '../../testing/introspection-server';
import { ApiKeyRateLimiter } from './api-key-rate-limiter';
import { ApiKeyUsageReporter } from './api-key-usage.reporter';
import { KeycardApiKeyAuthenticator } from './api-key.authenticator';
import { IntrospectionApiKeyVerifier } from './introspection-api-key.verifier';

describe('KeycardApiKeyAuthenticator (cached path)', () => {
  let server: IntrospectionServer;
  let clock: ManualClock;
  let usage: ApiKeyUsageReporter;
  let authenticator: KeycardApiKeyAuthenticator;
  const key = generateApiKey('sk', 'live').key;

  beforeEach(async () => {
    server = await startIntrospectionServer();
    server.handler = () => ({ status: 200, body: activeKeyAnswer({ rate_limit: 3 }) });
    clock = new ManualClock(Date.UTC(2026, 10, 28, 12));
    const common = { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, clock };
    usage = new ApiKeyUsageReporter({ endpoint: `${server.url}/usage`, ...common });
    authenticator = new KeycardApiKeyAuthenticator({
      verifier: new IntrospectionApiKeyVerifier({ issuer: server.url, ...common }),
      limiter: new ApiKeyRateLimiter(new MemoryRateLimitStore(clock), 600, clock),
      usage,
      setHeader: () => undefined,
      clock,
    });
  });

  afterEach(() => server.close());

  const authenticate = (now = clock.now()) => authenticator.authenticate(key, {}, {}, now);

  it('answers a known key at once, at the one time it is given for answer, window and usage', async () => {
    const first = authenticate(); // not known yet: a promise
    expect(first).toBeInstanceOf(Promise);
    const principal = await first;
    authenticator.recordUse(principal, clock.now());
    clock.advance(1500);
    const now = clock.now();
    const reads = jest.spyOn(clock, 'now');
    const again = authenticate(now);
    expect(again).toBe(principal);
    authenticator.recordUse(principal, now);
    expect(reads).not.toHaveBeenCalled();
    expect(server.introspections).toHaveLength(1);
    const [line] = (usage as unknown as { pending: Map<string, unknown> }).pending.values();
    expect(line).toMatchObject({ count: 2, lastUsedAt: now });
  });

  it('applies the limit of the cached answer on the cached path', async () => {
    await authenticate();
    expect(authenticate()).toMatchObject({ authType: 'api_key' }); // 2 of 3, no promise
    expect(authenticate()).toMatchObject({ authType: 'api_key' }); // 3 of 3
    expect(() => authenticate()).toThrow(expect.objectContaining({ status: 429 }));
  });

  it('keeps no raw key: what it remembers is found by the hash', async () => {
    await authenticate();
    expect(authenticate()).toMatchObject({ authType: 'api_key' });
    const remembered = inspect(authenticator, { depth: 12, maxArrayLength: 1000 });
    expect(remembered).not.toContain(key);
    expect(remembered).toContain(hashApiKey(key)); // the answer cache's key, as a check of the check
  });
});
