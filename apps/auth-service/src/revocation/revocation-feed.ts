import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { revocationChannel, type RevocationEvent, type RevocationMessage } from '@keycard/auth';
import { Clock } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { REDIS_CLIENT, RedisClient } from '../redis/redis.client';
import { RevocationEventEntity, toRevocationEvent } from './revocation-event.entity';

/** Other instances' events (and the command line's) are read at least this often. */
const POLL_MS = 1000;
/**
 * Heartbeats on the channel and the streams, every second: a Redis verifier that hears nothing for
 * 1.5 s reads the log over HTTP (a paused Redis delivers nothing), a stream verifier that misses
 * three reconnects.
 */
export const HEARTBEAT_MS = 1000;
const PRUNE_MS = 10 * 60_000;
const PAGE = 500;

export type FeedListener = (event: RevocationEvent, after: number) => void;
export type HeartbeatListener = (head: number) => void;

/**
 * Reads the revocation log in order, from the head it found at start, and hands each event to
 * this process's subscribers and to Redis (`keycard:revocations`) with the id before it, so a
 * verifier can tell a missed message. Woken at once by a local commit (`poke`), else every
 * second (other instances, the command line). Also sends the heartbeats and deletes expired
 * events.
 */
@Injectable()
export class RevocationFeed implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Revocation');
  private readonly listeners = new Set<FeedListener>();
  private readonly heartbeatListeners = new Set<HeartbeatListener>();
  private position = 0;
  private reading?: Promise<void>;
  private again = false;
  private timers: NodeJS.Timeout[] = [];
  private redisFailing = false;
  private readonly channel: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(REDIS_CLIENT) private readonly redis: RedisClient | null,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) config: Pick<AuthSettings, 'issuer'>,
  ) {
    this.channel = revocationChannel(config.issuer);
  }

  /** The last log position this instance has handed out. */
  get head(): number {
    return this.position;
  }

  async onApplicationBootstrap(): Promise<void> {
    const last = await this.repository().find({ order: { id: 'DESC' }, take: 1 });
    this.position = last[0]?.id ?? 0;
    this.timers = [
      setInterval(() => this.poke(), POLL_MS),
      setInterval(() => this.heartbeat(), HEARTBEAT_MS),
      setInterval(() => void this.prune(), PRUNE_MS),
    ];
    for (const timer of this.timers) timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    await this.reading;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onHeartbeat(listener: HeartbeatListener): () => void {
    this.heartbeatListeners.add(listener);
    return () => this.heartbeatListeners.delete(listener);
  }

  /** Reads what was committed since the last read; coalesces overlapping calls. */
  poke(): void {
    if (this.reading !== undefined) {
      this.again = true;
      return;
    }
    this.reading = this.readNew()
      .catch((error: unknown) =>
        this.logger.warn(`Could not read the revocation log: ${String(error)}`),
      )
      .finally(() => {
        this.reading = undefined;
        if (this.again) {
          this.again = false;
          this.poke();
        }
      });
  }

  /** Deletes events no token can need any more; returns how many. */
  async prune(): Promise<number> {
    try {
      const result = await this.repository().delete({ expiresAt: LessThan(this.clock.now()) });
      return result.affected ?? 0;
    } catch (error) {
      this.logger.warn(`Could not prune the revocation log: ${String(error)}`);
      return 0;
    }
  }

  private async readNew(): Promise<void> {
    for (;;) {
      const rows = await this.repository().find({
        where: { id: MoreThan(this.position) },
        order: { id: 'ASC' },
        take: PAGE,
      });
      for (const row of rows) this.dispatch(row);
      if (rows.length < PAGE) return;
    }
  }

  private dispatch(row: RevocationEventEntity): void {
    const event = toRevocationEvent(row);
    const after = this.position;
    this.position = event.id;
    for (const listener of this.listeners) {
      try {
        listener(event, after);
      } catch (error) {
        this.logger.error(`A revocation subscriber failed: ${String(error)}`);
      }
    }
    this.publish({ type: 'event', event, after });
  }

  private heartbeat(): void {
    for (const listener of this.heartbeatListeners) listener(this.position);
    this.publish({ type: 'heartbeat', head: this.position });
  }

  private publish(message: RevocationMessage): void {
    if (this.redis === null) return;
    this.redis.publish(this.channel, JSON.stringify(message)).then(
      () => {
        if (this.redisFailing) this.logger.log('Publishing revocations on Redis again');
        this.redisFailing = false;
      },
      (error: unknown) => {
        if (!this.redisFailing)
          this.logger.warn(`Could not publish a revocation on Redis: ${String(error)}`);
        this.redisFailing = true;
      },
    );
  }

  private repository() {
    return this.dataSource.getRepository(RevocationEventEntity);
  }
}
