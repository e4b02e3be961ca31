import { Logger } from '@nestjs/common';
import { ConfigError } from './env';
import { testRedisUrl } from '@keycard/testing';
import { assertRedisReachable, connectRedis, describeRedisUrl, redactRedisSecret } from './redis';

describe('describeRedisUrl', () => {
  it.each([
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://:s3cret@cache:6379/2', 'redis://cache:6379/2'],
    ['rediss://app:s3cret@cache.example.com:6380', 'rediss://cache.example.com:6380'],
    ['::not a url::', 'redis://<unparseable>'],
  ])('%s is logged as %s', (url, shown) => {
    expect(describeRedisUrl(url)).toBe(shown);
  });
});

describe('redactRedisSecret', () => {
  it('removes the URL and the password, raw and percent-decoded, from a message', () => {
    const url = 'redis://app:p%40ss@cache:6379';
    const message = `failed ${url}: WRONGPASS for p%40ss / p@ss`;
    const redacted = redactRedisSecret(message, url);
    expect(redacted).toBe('failed redis://cache:6379: WRONGPASS for *** / ***');
  });

  it('leaves messages alone when the URL has no password', () => {
    expect(redactRedisSecret('connect ECONNREFUSED', 'redis://cache:6379')).toBe(
      'connect ECONNREFUSED',
    );
  });
});

describe('connectRedis', () => {
  it('fails fast with a ConfigError naming REDIS_URL, without the password, when Redis is unreachable', async () => {
    const logger = new Logger('test');
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    // Port 1 on loopback: nothing listens there, so the connection is refused at once.
    const error: unknown = await connectRedis('redis://admin:hunter2-secret@127.0.0.1:1', {
      logger,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('REDIS_URL');
    expect((error as Error).message).toContain('redis://127.0.0.1:1');
    expect((error as Error).message).not.toContain('hunter2');
    expect(logged).not.toHaveBeenCalled(); // one line, from the caller, not a log per retry
  });
});

describe('assertRedisReachable', () => {
  it('rejects with a ConfigError naming REDIS_URL when Redis is unreachable', async () => {
    await expect(assertRedisReachable('redis://127.0.0.1:1')).rejects.toMatchObject({
      variable: 'REDIS_URL',
    });
  });

  const redisUrl = testRedisUrl();
  // Needs a real Redis: runs when TEST_REDIS_URL is set (CI), skipped on a clone with no server.
  (redisUrl ? it : it.skip)(
    'resolves, and leaves no connection open, when Redis answers',
    async () => {
      await expect(assertRedisReachable(redisUrl ?? '')).resolves.toBeUndefined();
    },
  );
});
