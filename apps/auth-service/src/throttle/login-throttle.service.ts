import { Inject, Injectable } from '@nestjs/common';
import {
  ipBucket,
  KeycardError,
  rateLimited,
  RateLimitResult,
  RateLimitStore,
  sha256Hex,
} from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { authConfig, AuthSettings } from '../config/auth.config';

const LOCKED_MESSAGE = 'Too many failed login attempts';

/**
 * Brute-force protection for password login, per account and per client IP.
 *
 * An attempt is reserved on both counters *before* the password is checked (`beginAttempt`), so
 * parallel guesses cannot all pass a "failures so far" check before any failure is recorded: of N
 * concurrent attempts, at most the limit reach the hash compare. Only a failed password check
 * keeps its reservation: a success clears the account's counter and gives the IP its attempt back
 * (`recordSuccess`), a request that fails for any other reason (the database or Redis down, a
 * timeout) gives both back (`abandon`), and a refused (429) attempt is not counted at all, so a
 * flood of refused attempts cannot keep an address locked once its failures age out.
 *
 * Usage: `await beginAttempt(email, ip)`, verify, then on a correct password
 * `await recordSuccess(email, ip)`, on a wrong one nothing, on any other error
 * `await abandon(email, ip)`.
 */
@Injectable()
export class LoginThrottleService {
  constructor(
    private readonly store: RateLimitStore,
    @Inject(authConfig.KEY)
    private readonly config: Pick<
      AuthSettings,
      'loginMaxFailures' | 'loginMaxFailuresPerIp' | 'loginLockout'
    >,
    private readonly metrics: KeycardMetrics,
  ) {}

  /** Reserves one attempt on both counters, or throws 429 with `Retry-After` when either is spent. */
  async beginAttempt(email: string, ip: string): Promise<void> {
    // The IP counter goes first: an address that is already blocked cannot keep running up
    // (and so locking) the counters of the accounts it targets.
    await this.reserve(ipKey(ip), this.config.loginMaxFailuresPerIp);
    try {
      await this.reserve(accountKey(email), this.config.loginMaxFailures);
    } catch (error) {
      await this.giveBack(ipKey(ip));
      throw error;
    }
  }

  /** A correct password: the account's failures are forgotten and the IP's reservation returned. */
  async recordSuccess(email: string, ip: string): Promise<void> {
    await Promise.all([this.store.reset(accountKey(email)), this.store.release(ipKey(ip))]);
  }

  /** The attempt failed for a reason other than the password: both reservations are returned. */
  async abandon(email: string, ip: string): Promise<void> {
    await Promise.all([this.giveBack(accountKey(email)), this.giveBack(ipKey(ip))]);
  }

  /**
   * One hit that stays counted only when it is allowed. A refused hit is handed back at once. A
   * hit that failed (Redis offline or past `REDIS_TIMEOUT`) is handed back too, without waiting:
   * a timed-out script may still run when Redis wakes up, and the release, written after it on
   * the same connection, then runs right after it.
   */
  private async reserve(key: string, limit: number): Promise<void> {
    let result: RateLimitResult;
    try {
      result = await this.store.hit(key, limit, this.config.loginLockout);
    } catch (error) {
      void this.giveBack(key);
      throw error;
    }
    if (result.allowed) return;
    await this.giveBack(key);
    throw this.locked(result.retryAfterSeconds);
  }

  /** `release`, never throwing: when the store is down there is nothing to give back to. */
  private async giveBack(key: string): Promise<void> {
    await this.store.release(key).catch(() => undefined);
  }

  private locked(retryAfterSeconds: number): KeycardError {
    this.metrics.rateLimited.inc({ limiter: 'login' });
    return rateLimited(retryAfterSeconds, LOCKED_MESSAGE);
  }
}

/** Hashed so that no email address is ever written to Redis or memory dumps in clear text. */
function accountKey(email: string): string {
  return `login:acct:${sha256Hex(email.trim().toLowerCase())}`;
}

function ipKey(ip: string): string {
  return `login:ip:${ipBucket(ip)}`;
}
