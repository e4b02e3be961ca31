import { Global, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { testRedisUrl } from '@keycard/testing';
import { authConfig } from '../config/auth.config';
import { REDIS_CLIENT, RedisClient } from './redis.client';
import { RedisModule } from './redis.module';

function configModule(redisUrl: string | undefined) {
  @Global()
  @Module({
    providers: [{ provide: authConfig.KEY, useValue: { redisUrl } }],
    exports: [authConfig.KEY],
  })
  class TestConfigModule {}
  return TestConfigModule;
}

async function start(redisUrl: string | undefined) {
  const moduleRef = await Test.createTestingModule({
    imports: [configModule(redisUrl), RedisModule],
  }).compile();
  await moduleRef.init();
  return moduleRef;
}

describe('RedisModule', () => {
  it('provides null when REDIS_URL is not set', async () => {
    const moduleRef = await start(undefined);
    expect(moduleRef.get<RedisClient | null>(REDIS_CLIENT)).toBeNull();
    await moduleRef.close();
  });

  const redisUrl = testRedisUrl();
  // Needs a real Redis: runs when TEST_REDIS_URL is set (CI), skipped on a clone with no server.
  (redisUrl ? it : it.skip)('provides a connected client and closes it at shutdown', async () => {
    const moduleRef = await start(redisUrl);
    const client = moduleRef.get<RedisClient | null>(REDIS_CLIENT);
    expect(client?.isReady).toBe(true);
    expect(await client?.ping()).toBe('PONG');
    await moduleRef.close();
    expect(client?.isOpen).toBe(false);
  });
});
