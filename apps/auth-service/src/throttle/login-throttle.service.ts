import { Inject, Injectable, Optional } from '@nestjs/common';
import { KeycardError, RateLimitStore, rateLimited, sha256Hex } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { authConfig, AuthSettings } from '../config/auth.config';
import { ipBucket } from './ip-bucket';

const LOCKED_MESSAGE = 'Too many failed login attempts';

/**
 * Brute-force protection for password login, per account and per client IP.
 *
 * An attempt is counted *before* the password is checked (`beginAttempt`), so parallel guesses
 * cannot all pass a "failures so far" check before any failure is recorded: of N concurrent
 * attempts, at most the limit reach the hash compare. A success clears the account's counter and
 * gives the IP back the attempt it reserved (`recordSuccess`), so both counters count failures
 * only: an office behind one address is not locked out by its own successful sign-ins.
 *
 * Usage: `await beginAttempt(email, ip)`, verify, then `await recordSuccess(email, ip)` on success.
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
    @Optional() private readonly metrics?: KeycardMetrics,
  ) {}

  /** Reserves one attempt on both counters, or throws 429 with `Retry-After` when either is spent. */
  async beginAttempt(email: string, ip: string): Promise<void> {
    const window = this.config.loginLockout;
    // The IP counter goes first: an address that is already blocked cannot keep running up
    // (and so locking) the counters of the accounts it targets.
    const byIp = await this.store.hit(ipKey(ip), this.config.loginMaxFailuresPerIp, window);
    if (!byIp.allowed) throw this.locked(byIp.retryAfterSeconds);
    const byAccount = await this.store.hit(accountKey(email), this.config.loginMaxFailures, window);
    if (!byAccount.allowed) throw this.locked(byAccount.retryAfterSeconds);
  }

  /** A correct password: the account's failures are forgotten and the IP's reservation returned. */
  async recordSuccess(email: string, ip: string): Promise<void> {
    await Promise.all([this.store.reset(accountKey(email)), this.store.release(ipKey(ip))]);
  }

  private locked(retryAfterSeconds: number): KeycardError {
    this.metrics?.rateLimited.inc({ limiter: 'login' });
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
