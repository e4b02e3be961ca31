import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { authConfig, AuthSettings } from '../config/auth.config';
import { LoginThrottleService } from '../throttle/login-throttle.service';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { LoginAuditService, LoginChannel } from './login-audit.service';

/**
 * The one password check behind every sign-in form and API: throttled per account and per IP
 * before the hash is compared, and the same answer for an unknown email and a wrong password.
 */
@Injectable()
export class PasswordLoginService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
    private readonly loginAudit: LoginAuditService,
    private readonly metrics: KeycardMetrics,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'requireVerifiedEmail'>,
  ) {}

  /** `channel` names the API in the audit trail (`auth.login.*` or `session.login.*`). */
  authenticate(
    email: string,
    password: string,
    ip: string,
    channel: LoginChannel = 'auth',
  ): Promise<UserEntity> {
    const attempt = this.check(email, password, ip);
    void this.loginAudit.observe(channel, email, ip, attempt);
    return attempt;
  }

  private async check(email: string, password: string, ip: string): Promise<UserEntity> {
    await this.throttle.beginAttempt(email, ip);
    let user: UserEntity | null;
    try {
      user = await this.users.verifyCredentials(email, password);
    } catch (error) {
      // Not a wrong password (the database is down, say): the attempt must not count.
      await this.throttle.abandon(email, ip);
      throw error;
    }
    if (!user) {
      this.metrics.authFailures.inc({ reason: ErrorCode.InvalidCredentials });
      throw new KeycardError(ErrorCode.InvalidCredentials, { reason: 'password login failed' });
    }
    await this.throttle.recordSuccess(email, ip);
    // REQUIRE_VERIFIED_EMAIL: checked after the password, so it tells nothing to someone without it.
    if (this.config.requireVerifiedEmail && !user.emailVerified) {
      this.metrics.authFailures.inc({ reason: ErrorCode.EmailNotVerified });
      throw new KeycardError(ErrorCode.EmailNotVerified, { reason: 'address not verified' });
    }
    return user;
  }
}
