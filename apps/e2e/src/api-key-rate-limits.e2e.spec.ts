import { expectOneLimitAcross, expectRefusals, inOrder, keyWithLimit } from './support/rate-limits';
import type { RunningService, Stack } from './support/stack';
import { startStack } from './support/stack';

const sharedRedis = process.env['TEST_REDIS_URL'];

describe('API key rate limit in one instance without Redis', () => {
  let stack: Stack;

  beforeAll(async () => {
    // An empty REDIS_URL means "no Redis", also when the backend would set one.
    stack = await startStack({ label: 'rate-limit-memory', resourceEnv: { REDIS_URL: '' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('lets 10 of 11 requests through for a key limited to 10 a minute', async () => {
    const key = await keyWithLimit(stack, 10);
    const answers = await inOrder(Array<string>(11).fill(stack.resource.url), key);
    expectRefusals(answers, 10, 1);
    expect(answers[10].status).toBe(429);
  });
});

(sharedRedis ? describe : describe.skip)(
  'API key rate limit across two instances sharing Redis',
  () => {
    let stack: Stack;
    let second: RunningService;

    beforeAll(async () => {
      const redis = { REDIS_URL: sharedRedis ?? '' };
      stack = await startStack({ label: 'rate-limit-redis', resourceEnv: redis });
      second = await stack.startResource('rate-limit-redis-2', {
        ...redis,
        DATA_DIR: `${stack.backend.dataDir}/second`,
      });
    });

    afterAll(async () => {
      await stack?.stop();
    });

    it('counts one limit for both: of 6 + 6 requests with a limit of 10, exactly 2 get 429', async () => {
      await expectOneLimitAcross(stack, stack.resource.url, second.url);
    });
  },
);
