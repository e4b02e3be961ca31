import { Logger } from '@nestjs/common';
import type { Clock } from '@keycard/common';
import { redisDriver, SystemClock } from '@keycard/common';
import { describeError } from '../discovery';
import type { RevocationEndpoint } from './revocation-client';
import { followStream, NoRevocationLog, readLogPage, CATCH_UP_PAGE } from './revocation-client';
import type { RevocationMessage } from './revocation-event';
import { parseRevocationMessage } from './revocation-event';
import type { RevocationFollower } from './revocation-follower';

/** Where a follower's events come from; started with the module, stopped at shutdown. */
export interface RevocationSource {
  start(): void;
  stop(): Promise<void>;
}

/** The auth-service sends a heartbeat every second (before 0.8: every 5 s): 15 s of none is a dead stream. */
const STREAM_IDLE_MS = 15_000;
const MAX_BACKOFF_MS = 5_000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Reads the log in order from the follower's cursor to its head. */
export async function catchUp(
  endpoint: RevocationEndpoint,
  follower: RevocationFollower,
): Promise<void> {
  for (;;) {
    const page = await readLogPage(endpoint, follower.cursor);
    follower.applyOrdered(page.events, page.events.length < CATCH_UP_PAGE ? page.head : undefined);
    if (page.events.length < CATCH_UP_PAGE) return;
  }
}

/**
 * Without Redis: follows the auth-service's event stream, resuming from the cursor after every
 * disconnection (with a backoff up to 5 s), so no event is lost while the auth-service restarts.
 */
export class StreamRevocationSource implements RevocationSource {
  private readonly logger = new Logger('Revocation');
  private readonly stopping = new AbortController();
  private running?: Promise<void>;

  constructor(
    private readonly endpoint: RevocationEndpoint,
    private readonly follower: RevocationFollower,
  ) {}

  start(): void {
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async loop(): Promise<void> {
    let backoff = 250;
    let failing = false;
    while (!this.stopping.signal.aborted) {
      try {
        await followStream(
          this.endpoint,
          this.follower.cursor,
          (message) => this.receive(message),
          this.stopping.signal,
          STREAM_IDLE_MS,
        );
        backoff = 250;
      } catch (error) {
        if (this.stopping.signal.aborted) return;
        if (error instanceof NoRevocationLog) {
          this.nothingToFollow(error);
          await pause(MAX_BACKOFF_MS, this.stopping.signal);
          continue;
        }
        if (!failing) this.logger.warn(`Revocation stream lost: ${describeError(error)}`);
        failing = true;
        await pause(backoff, this.stopping.signal);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
        continue;
      }
      if (failing) this.logger.log('Revocation stream restored');
      failing = false;
    }
  }

  private warnedNoLog = false;

  /** Nothing to follow is being in step with it; said once. */
  private nothingToFollow(error: NoRevocationLog): void {
    this.follower.heartbeat(this.follower.cursor);
    if (!this.warnedNoLog) this.logger.warn(`No revocation log to follow: ${error.message}`);
    this.warnedNoLog = true;
  }

  private receive(message: RevocationMessage): void {
    if (message.type === 'event') this.follower.applyOrdered([message.event]);
    else this.follower.heartbeat(message.head);
  }
}

/** Checks of the Redis subscription's health, and the silence after which it counts as stalled. */
const REDIS_CHECK_MS = 500;
/** The auth-service sends a heartbeat every second: 1.5 s without any message is a stall. */
export const REDIS_SILENCE_MS = 1500;

/**
 * Whether the Redis source reads the log over HTTP at a health check: while its subscription is
 * not ready, or once the channel has been silent (no event, no heartbeat) for `REDIS_SILENCE_MS`
 * — a Redis that holds its connections but answers nothing (`CLIENT PAUSE`) stays "ready".
 */
export function redisNeedsCatchUp(subscribed: boolean, lastHeardAt: number, now: number): boolean {
  return !subscribed || now - lastHeardAt > REDIS_SILENCE_MS;
}

/**
 * With Redis: events and heartbeats arrive on a pub/sub channel; the log is read over HTTP (from
 * the cursor) whenever the subscription (re)connects, whenever a heartbeat shows the cursor behind
 * the head, and every half second while Redis is unreachable or silent (a Redis that holds its
 * connections but answers nothing, e.g. `CLIENT PAUSE`, delivers no heartbeat), so nothing is
 * lost and nothing waits for Redis.
 */
export class RedisRevocationSource implements RevocationSource {
  private readonly logger = new Logger('Revocation');
  private readonly subscriber;
  private timer?: NodeJS.Timeout;
  private catchingUp?: Promise<void>;
  private failing = false;
  /** When the channel last delivered anything (an event or a heartbeat), on `clock`. */
  private lastHeardAt: number;

  constructor(
    redisUrl: string,
    private readonly channel: string,
    private readonly endpoint: RevocationEndpoint,
    private readonly follower: RevocationFollower,
    private readonly clock: Clock = new SystemClock(),
  ) {
    this.lastHeardAt = clock.now();
    this.subscriber = redisDriver().createClient({
      url: redisUrl,
      socket: { reconnectStrategy: (retries) => Math.min(100 * 2 ** Math.min(retries, 6), 2000) },
    });
    this.subscriber.on('error', () => undefined);
    this.subscriber.on('ready', () => this.requestCatchUp());
  }

  start(): void {
    void this.subscriber
      .connect()
      .then(() => this.subscriber.subscribe(this.channel, (text) => this.receive(text)))
      .catch((error: unknown) =>
        this.logger.warn(`Revocation channel unavailable: ${describeError(error)}`),
      );
    this.requestCatchUp();
    this.timer = setInterval(() => {
      if (redisNeedsCatchUp(this.subscriber.isReady, this.lastHeardAt, this.clock.now()))
        this.requestCatchUp();
    }, REDIS_CHECK_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.catchingUp;
    if (this.subscriber.isOpen) await this.subscriber.close().catch(() => undefined);
  }

  private receive(text: string): void {
    this.lastHeardAt = this.clock.now();
    const message = parseRevocationMessage(text);
    if (message === undefined) return;
    if (message.type === 'event') this.follower.applyPushed(message.event, message.after);
    else if (this.follower.heartbeat(message.head)) this.requestCatchUp();
  }

  /** One catch-up at a time; a request during one is served by it or by the next heartbeat. */
  private requestCatchUp(): void {
    if (this.catchingUp !== undefined) return;
    this.catchingUp = catchUp(this.endpoint, this.follower)
      .then(() => {
        if (this.failing) this.logger.log('Revocation log reachable again');
        this.failing = false;
      })
      .catch((error: unknown) => {
        // An auth-service without a log: nothing to follow (in step).
        if (error instanceof NoRevocationLog) {
          this.follower.heartbeat(this.follower.cursor);
          return;
        }
        if (!this.failing) this.logger.warn(`Revocation log unreachable: ${describeError(error)}`);
        this.failing = true;
      })
      .finally(() => (this.catchingUp = undefined));
  }
}
