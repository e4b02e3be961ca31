import { login, registerUser } from './support/api';
import { createApiKey, withApiKey } from './support/api-keys';
import { HttpResult } from './support/http';
import { RunningService, Stack, startStack } from './support/stack';

const sharedRedis = process.env['TEST_REDIS_URL'];

/** Sends the requests one after another, in order, and returns their answers. */
async function inOrder(urls: string[], key: string): Promise<HttpResult<unknown>[]> {
  const answers: HttpResult<unknown>[] = [];
  for (const url of urls) answers.push(await withApiKey<unknown>('GET', `${url}/me`, key));
  return answers;
}

function expectRefusals(answers: HttpResult<unknown>[], ok: number, limited: number): void {
  expect(answers.map((answer) => answer.status).sort()).toEqual([
    ...Array<number>(ok).fill(200),
    ...Array<number>(limited).fill(429),
  ]);
  for (const refused of answers.filter((answer) => answer.status === 429)) {
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(refused.headers.get('ratelimit-limit')).toBe('10');
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
  }
}

async function keyWithLimit(stack: Stack, rateLimit: number): Promise<string> {
  const user = await registerUser(stack);
  const { accessToken } = await login(stack, user);
  return (await createApiKey(stack, accessToken, { rateLimit })).key;
}

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
      const key = await keyWithLimit(stack, 10);
      const urls = Array.from({ length: 12 }, (_, i) => (i % 2 ? second.url : stack.resource.url));
      const answers = await inOrder(urls, key);
      expectRefusals(answers, 10, 2);
      expect(answers.slice(10).map((answer) => answer.status)).toEqual([429, 429]);
    });
  },
);
