import type { ThrowawayRedis } from '@keycard/testing';
import { missingFaultTools, startThrowawayRedis } from '@keycard/testing';
import { DependencyTimeoutError, isDependencyFailure } from './dependency-failure';
import type { RedisClient } from './redis';
import { connectRedis } from './redis';

const missing = missingFaultTools(['redis']);

async function settleAll(commands: Promise<unknown>[]): Promise<unknown[]> {
  const results = await Promise.allSettled(commands);
  return results.map((r) => (r.status === 'rejected' ? r.reason : r.value));
}

// Fault tier (issue 14, finding 15): every command of the shared client is bounded, against a
// Redis of the test's own that is frozen (SIGSTOP), killed and started again.
(missing ? describe.skip : describe)(
  `connectRedis against a failing Redis${missing ? ` (${missing})` : ''}`,
  () => {
    let redis: ThrowawayRedis;
    let client: RedisClient;

    beforeAll(async () => {
      redis = await startThrowawayRedis();
      client = await connectRedis(redis.url, { commandTimeoutMs: 300 });
    });
    afterAll(async () => {
      redis?.thaw();
      if (client?.isOpen) await client.close();
      await redis?.destroy();
    });

    it('a frozen Redis: commands and scripts fail after the timeout instead of waiting for it', async () => {
      redis.freeze();
      const started = Date.now();
      const outcomes = await settleAll([
        client.get('k'),
        client.set('k', 'v'),
        client.evalSha('0'.repeat(40), { keys: ['k'] }),
        client.eval('return 1', { keys: ['k'] }),
        client.ping(),
      ]);
      const elapsed = Date.now() - started;
      redis.thaw();
      for (const outcome of outcomes) expect(outcome).toBeInstanceOf(DependencyTimeoutError);
      expect(elapsed).toBeLessThan(1500);
      expect(await client.ping()).toBe('PONG'); // the same client, once Redis answers again
    });

    it('a killed Redis: commands fail at once as a dependency failure; the client reconnects when it is back', async () => {
      await redis.kill();
      const started = Date.now();
      const outcome = await client.get('k').catch((error: unknown) => error);
      expect(isDependencyFailure(outcome)).toBe(true);
      expect(Date.now() - started).toBeLessThan(1000);
      await redis.start();
      const until = Date.now() + 8000;
      let answer: unknown;
      while (Date.now() < until) {
        answer = await client.ping().catch((error: unknown) => error);
        if (answer === 'PONG') break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(answer).toBe('PONG');
    });
  },
);
