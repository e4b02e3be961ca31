import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThanOrEqual, Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { MailMessageEntity } from './mail-message.entity';
import { MailMetrics } from './mail-metrics';
import { MailTransport, serverUnreachable } from './mail-transport';

/** Attempts per message before it is marked `failed`. */
export const MAIL_MAX_ATTEMPTS = 8;
/** Wait before the second attempt; doubled after each failure, up to `MAIL_MAX_BACKOFF_MS`. */
export const MAIL_FIRST_BACKOFF_MS = 30_000;
export const MAIL_MAX_BACKOFF_MS = 3_600_000;
/** A claimed message is not picked up again for this long (a worker that died mid-send). */
export const MAIL_SEND_LEASE_MS = 300_000;
/** How often the outbox is polled for retries that have come due. */
export const MAIL_POLL_INTERVAL_MS = 1_000;
/**
 * How long the worker leaves the whole outbox alone after the mail server could not be reached:
 * the first pause, doubled after each unreachable attempt that follows, up to the longest.
 */
export const MAIL_FIRST_PAUSE_MS = 1_000;
export const MAIL_MAX_PAUSE_MS = 30_000;
/** The longest shutdown waits for a send in progress. */
export const MAIL_SHUTDOWN_WAIT_MS = 3_000;
const BATCH_SIZE = 20;

/** Wait before the attempt that follows failed attempt number `attempts` (1-based). */
export function mailBackoffMs(attempts: number): number {
  return Math.min(MAIL_FIRST_BACKOFF_MS * 2 ** (attempts - 1), MAIL_MAX_BACKOFF_MS);
}

/**
 * Sends what the outbox holds, in the background: kicked when a message is queued and polled
 * every second for retries. Each message is claimed with one conditional UPDATE (a lease), so
 * several instances never send it twice. A failure is retried with exponential backoff; after
 * `MAIL_MAX_ATTEMPTS` it is `failed`. A settled row keeps no body (the links were one-time secrets).
 * While the server cannot be reached, the worker pauses the whole outbox (`MAIL_FIRST_PAUSE_MS`,
 * doubling to `MAIL_MAX_PAUSE_MS`) and then tries one message again, as an MTA defers the mail of
 * a dead host: a message queued meanwhile waits for the pause, not on an attempt bound to fail,
 * and the service does not spend a connection attempt, two writes and a log line on each one.
 */
@Injectable()
export class MailOutboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MailOutboxWorker.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  /** While the server cannot be reached: no attempt before this time; the pause that set it. */
  private pausedUntil = 0;
  private pauseMs = 0;

  constructor(
    @InjectRepository(MailMessageEntity) private readonly outbox: Repository<MailMessageEntity>,
    private readonly transport: MailTransport,
    private readonly metrics: MailMetrics,
    private readonly clock: Clock,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), MAIL_POLL_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  /**
   * Stops polling and waits for the send in progress, at most `MAIL_SHUTDOWN_WAIT_MS`: a server
   * that hangs must not hold up shutdown. A message cut short keeps its lease and is sent again
   * (by any instance) once the lease ends.
   */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    let timer: NodeJS.Timeout | undefined;
    const cap = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, MAIL_SHUTDOWN_WAIT_MS);
    });
    await Promise.race([this.running, cap]);
    clearTimeout(timer);
    this.transport.close();
  }

  /** Starts a pass unless one is running (then one more pass follows it). Never throws. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.passes().finally(() => {
      this.running = undefined;
    });
  }

  /** Resolves when no pass is running: for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** One pass over the messages that are due; the number sent. */
  async drain(): Promise<number> {
    if (this.paused()) return 0;
    const due = await this.outbox.find({
      where: { status: 'pending', nextAttemptAt: LessThanOrEqual(this.clock.now()) },
      order: { nextAttemptAt: 'ASC' },
      take: BATCH_SIZE,
    });
    let sent = 0;
    for (const message of due) {
      if (this.stopped || this.paused()) break;
      if (await this.claim(message)) sent += (await this.attempt(message)) ? 1 : 0;
    }
    return sent;
  }

  private async passes(): Promise<void> {
    do {
      this.again = false;
      try {
        await this.drain();
      } catch (error) {
        this.logger.warn(`Mail outbox pass failed: ${(error as Error).message}`);
      }
    } while (this.again && !this.stopped);
  }

  private async claim(message: MailMessageEntity): Promise<boolean> {
    const result = await this.outbox.update(
      { id: message.id, status: 'pending', nextAttemptAt: message.nextAttemptAt },
      { nextAttemptAt: this.clock.now() + MAIL_SEND_LEASE_MS },
    );
    return result.affected === 1;
  }

  private async attempt(message: MailMessageEntity): Promise<boolean> {
    const attempts = message.attempts + 1;
    try {
      await this.transport.send(message);
    } catch (error) {
      if (serverUnreachable(error)) this.pause();
      else this.pauseMs = 0; // the server answered: it refused this message only
      await this.failed(message, attempts, (error as Error).message);
      return false;
    }
    this.pauseMs = 0;
    await this.outbox.update(
      { id: message.id },
      {
        status: 'sent',
        attempts,
        settledAt: this.clock.now(),
        lastError: null,
        text: '',
        html: '',
      },
    );
    this.metrics.count('sent');
    return true;
  }

  private paused(): boolean {
    return this.clock.now() < this.pausedUntil;
  }

  private pause(): void {
    this.pauseMs = Math.min(Math.max(this.pauseMs * 2, MAIL_FIRST_PAUSE_MS), MAIL_MAX_PAUSE_MS);
    this.pausedUntil = this.clock.now() + this.pauseMs;
    this.logger.warn(`Mail server unreachable: the outbox waits ${this.pauseMs} ms`);
  }

  private async failed(
    message: MailMessageEntity,
    attempts: number,
    reason: string,
  ): Promise<void> {
    const lastError = reason.slice(0, 500);
    if (attempts >= MAIL_MAX_ATTEMPTS) {
      await this.outbox.update(
        { id: message.id },
        { status: 'failed', attempts, lastError, settledAt: this.clock.now(), text: '', html: '' },
      );
      this.metrics.count('failed');
      this.logger.error(`Mail ${message.id} not sent after ${attempts} attempts: ${lastError}`);
      return;
    }
    const nextAttemptAt = this.clock.now() + mailBackoffMs(attempts);
    await this.outbox.update({ id: message.id }, { attempts, lastError, nextAttemptAt });
    this.logger.warn(`Mail ${message.id} attempt ${attempts} failed (retrying): ${lastError}`);
  }
}
