import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createClient } from 'redis';
import { ManualClock } from '@keycard/common';
import { FakeRevocationLog as FakeLog } from '../../testing/fake-revocation-log';
import { DenySet } from './deny-set';
import { revocationChannel } from './revocation-event';
import type { RevocationEvent } from './revocation-event';
import { RevocationFollower } from './revocation-follower';
import { RedisRevocationSource, StreamRevocationSource } from './revocation-sources';

const T0 = Date.UTC(2026, 0, 1);
const CHANNEL = revocationChannel('https://issuer.test');

function event(id: number): RevocationEvent {
  return { id, kind: 'sid', subject: `sid-${id}`, at: T0, expiresAt: T0 + 900_000 };
}

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}

const refused = (follower: RevocationFollower, id: number) =>
  follower.refuses({
    sub: 'u',
    authType: 'jwt',
    roles: [],
    scopes: [],
    scopeRestricted: false,
    sessionId: `sid-${id}`,
  });

describe('StreamRevocationSource', () => {
  let log: FakeLog;
  let baseUrl: string;
  let follower: RevocationFollower;
  let source: StreamRevocationSource;

  beforeEach(async () => {
    log = new FakeLog();
    baseUrl = await log.start();
    const clock = new ManualClock(T0);
    follower = new RevocationFollower(new DenySet(100, clock), false, clock);
  });

  afterEach(async () => {
    await source.stop();
    await log.stop();
  });

  it('reads what is still relevant at start, then each new event', async () => {
    log.append(event(1));
    log.append(event(2));
    source = new StreamRevocationSource(
      { baseUrl, clientId: 'svc', clientSecret: 'secret' },
      follower,
    );
    source.start();
    await until(() => follower.cursor === 2);
    expect(log.streamCursors).toEqual([0]);
    log.append(event(3));
    await until(() => refused(follower, 3));
  });

  it('resumes from its cursor after the stream drops, losing nothing written meanwhile', async () => {
    log.append(event(1));
    source = new StreamRevocationSource(
      { baseUrl, clientId: 'svc', clientSecret: 'secret' },
      follower,
    );
    source.start();
    await until(() => follower.cursor === 1);
    log.dropStreams();
    log.append(event(2));
    await until(() => follower.cursor === 2);
    expect(log.streamCursors).toEqual([0, 1]);
    expect(refused(follower, 2)).toBe(true);
  });

  it('keeps retrying with its credentials while refused', async () => {
    source = new StreamRevocationSource(
      { baseUrl, clientId: 'svc', clientSecret: 'wrong' },
      follower,
    );
    log.append(event(1));
    source.start();
    await until(() => log.refusals >= 2);
    expect(follower.cursor).toBe(0);
    expect(log.streamCursors).toEqual([]);
  });
});

describe('a source whose auth-service keeps no revocation log (404)', () => {
  it('counts as in step (nothing to follow) instead of lagging for ever', async () => {
    const server = createServer((_request, response) => response.writeHead(404).end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const clock = new ManualClock(T0);
    const follower = new RevocationFollower(new DenySet(10, clock), true, clock);
    const source = new StreamRevocationSource(
      { baseUrl, clientId: 'svc', clientSecret: 'secret' },
      follower,
    );
    source.start();
    await follower.firstSync;
    expect(follower.lagSeconds()).toBe(0);
    await source.stop();
    await new Promise((resolve) => server.close(resolve));
  });
});

const redisUrl = process.env['TEST_REDIS_URL'];
// Pub/sub needs a real Redis: this suite runs when TEST_REDIS_URL is set (CI sets it).
(redisUrl ? describe : describe.skip)('RedisRevocationSource', () => {
  let log: FakeLog;
  let follower: RevocationFollower;
  let source: RedisRevocationSource;
  const publisher = createClient({ url: redisUrl });

  beforeAll(() => publisher.connect());
  afterAll(() => publisher.close());

  beforeEach(async () => {
    log = new FakeLog();
    const baseUrl = await log.start();
    const clock = new ManualClock(T0);
    follower = new RevocationFollower(new DenySet(100, clock), false, clock);
    source = new RedisRevocationSource(
      redisUrl as string,
      CHANNEL,
      { baseUrl, clientId: 'svc', clientSecret: 'secret' },
      follower,
    );
  });

  afterEach(async () => {
    await source.stop();
    await log.stop();
  });

  it('catches up over HTTP at start, then applies events published on the channel', async () => {
    log.append(event(1));
    source.start();
    await until(() => follower.cursor === 1);
    log.events.push(event(2));
    await waitForSubscriber(publisher);
    await publisher.publish(CHANNEL, JSON.stringify({ type: 'event', event: event(2), after: 1 }));
    await until(() => follower.cursor === 2);
  });

  it('a heartbeat ahead of its cursor (a lost message) makes it read the log again', async () => {
    source.start();
    await until(() => log.pageCursors.length > 0);
    await waitForSubscriber(publisher);
    log.events.push(event(1));
    await publisher.publish(CHANNEL, JSON.stringify({ type: 'heartbeat', head: 1 }));
    await until(() => refused(follower, 1));
    expect(log.pageCursors.at(-1)).toBe(0);
  });
});

async function waitForSubscriber(client: ReturnType<typeof createClient>): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const counts = await client.pubSubNumSub(CHANNEL);
    if ((counts[CHANNEL] ?? 0) > 0) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('nobody subscribed');
}
