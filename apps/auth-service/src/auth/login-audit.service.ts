import { Injectable } from '@nestjs/common';
import { ErrorCode, ipBucket, KeycardError, sha256Hex } from '@keycard/common';
import { RefusalWindows } from '../throttle/refusal-windows';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AuditEventType, LoginFailureReason } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';

/** Which sign-in API a password login came through. */
export type LoginChannel = 'auth' | 'session';

const EVENTS = {
  auth: { success: AuditEventType.LoginSuccess, failure: AuditEventType.LoginFailure },
  session: {
    success: AuditEventType.SessionLoginSuccess,
    failure: AuditEventType.SessionLoginFailure,
  },
} as const;

/**
 * Records the outcome of a password sign-in. The email is stored only as a SHA-256 of its
 * normalized form (enough to correlate attempts on one account without keeping the address);
 * the user id is added when the account exists. The lookup that finds it runs after the answer,
 * off the request path, so it cannot change how long a failed sign-in takes.
 *
 * A refused (429) attempt is recorded only when it opens a refusal window for both its address
 * and its account (`RefusalWindows`): a flood of refused sign-ins writes a row or two, and is
 * counted in full by `keycard_rate_limited_total{limiter="login"}`.
 */
@Injectable()
export class LoginAuditService {
  constructor(
    private readonly audit: AuditService,
    private readonly users: UsersService,
    private readonly refusals: RefusalWindows,
  ) {}

  /** Waits for `attempt` to settle and records it; resolves either way, never rejects. */
  async observe(
    channel: LoginChannel,
    email: string,
    ip: string,
    attempt: Promise<UserEntity>,
  ): Promise<void> {
    let user: UserEntity;
    try {
      user = await attempt;
    } catch (error) {
      const reason = failureReason(error);
      if (reason === 'rate_limited' && !(await this.opensRefusalWindow(email, ip, error))) return;
      if (reason) await this.recordFailure(channel, email, reason);
      return;
    }
    await this.audit.record({
      type: EVENTS[channel].success,
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      subjectId: user.id,
    });
  }

  /** Whether this refusal is the first of its window. */
  private async opensRefusalWindow(email: string, ip: string, error: unknown): Promise<boolean> {
    const retryAfter = (error as KeycardError).details['retryAfter'];
    const keys = [`login:ip:${ipBucket(ip)}`, `login:acct:${sha256Hex(normalize(email))}`];
    try {
      return await this.refusals.opensWindow(
        keys,
        typeof retryAfter === 'number' ? retryAfter : 60,
      );
    } catch {
      return false; // the store is down: the metric still counts the refusal
    }
  }

  private async recordFailure(
    channel: LoginChannel,
    email: string,
    reason: LoginFailureReason,
  ): Promise<void> {
    const normalized = normalize(email);
    let user: UserEntity | null = null;
    try {
      user = await this.users.findByEmail(normalized);
    } catch {
      // The event matters more than the user id: record it without.
    }
    // A disabled account is refused whatever the password; say so rather than "invalid".
    const finalReason = reason === 'invalid_credentials' && user?.disabled ? 'disabled' : reason;
    // Still inside the request's async context: the IP and user agent come from there.
    await this.audit.record({
      type: EVENTS[channel].failure,
      outcome: 'failure',
      actor: null,
      subjectId: user?.id ?? null,
      details: { reason: finalReason, emailSha256: sha256Hex(normalized) },
    });
  }
}

function normalize(email: string): string {
  return email.trim().toLowerCase();
}

function failureReason(error: unknown): LoginFailureReason | null {
  if (!(error instanceof KeycardError)) return null;
  if (error.code === ErrorCode.RateLimited) return 'rate_limited';
  if (error.code === ErrorCode.InvalidCredentials) return 'invalid_credentials';
  return null;
}
