import { REDIS_SILENCE_MS, redisNeedsCatchUp } from './revocation-sources';

describe('redisNeedsCatchUp (the Redis source’s health check)', () => {
  const heardAt = Date.UTC(2026, 0, 1);

  it('reads the log while the subscription is not ready, however recent the last message', () => {
    expect(redisNeedsCatchUp(false, heardAt, heardAt)).toBe(true);
  });

  it('trusts a ready channel that spoke within 1.5 s (heartbeats come every second)', () => {
    expect(redisNeedsCatchUp(true, heardAt, heardAt)).toBe(false);
    expect(redisNeedsCatchUp(true, heardAt, heardAt + 1000)).toBe(false);
    expect(redisNeedsCatchUp(true, heardAt, heardAt + REDIS_SILENCE_MS)).toBe(false);
  });

  it('reads the log once a ready channel has been silent longer (a paused Redis)', () => {
    expect(REDIS_SILENCE_MS).toBe(1500);
    expect(redisNeedsCatchUp(true, heardAt, heardAt + REDIS_SILENCE_MS + 1)).toBe(true);
    expect(redisNeedsCatchUp(true, heardAt, heardAt + 60_000)).toBe(true);
  });
});
