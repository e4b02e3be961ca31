import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { LoginThrottleService } from '../throttle/login-throttle.service';
import { assertAcceptablePassword } from '../users/password-policy';
import type { UserEntity } from '../users/user.entity';
import { normalizeEmail, UsersService } from '../users/users.service';
import { AccountBackground } from './account-background';
import { AccountMailThrottle } from './account-mail-throttle';
import { AccountMailer } from './account-mailer';
import { AccountSignOut } from './account-sign-out';
import { AccountTokensService } from './account-tokens.service';
import { AccountUsers } from './account-users';
import { ACCOUNT_SETTINGS, AccountSettings } from './account-settings';

/** Who asks for a change: the signed-in user and the login (`sid`) the request came with. */
export interface AccountCaller {
  userId: string;
  /** The session id or refresh-token family of the credential used; it stays signed in. */
  loginId?: string;
  ip: string;
}

/**
 * Changes made while signed in, each proven with the current password (counted by the login
 * throttle, like a sign-in): a new password, which ends every other login, and a new address,
 * which takes effect when the link mailed to it is used.
 */
@Injectable()
export class CredentialChangeService {
  constructor(
    private readonly users: UsersService,
    private readonly accountUsers: AccountUsers,
    private readonly tokens: AccountTokensService,
    private readonly mailer: AccountMailer,
    private readonly mailThrottle: AccountMailThrottle,
    private readonly loginThrottle: LoginThrottleService,
    private readonly background: AccountBackground,
    private readonly signOut: AccountSignOut,
    @Inject(ACCOUNT_SETTINGS) private readonly account: AccountSettings,
    private readonly audit: AuditService,
  ) {}

  async changePassword(caller: AccountCaller, current: string, next: string): Promise<void> {
    assertAcceptablePassword(next);
    const user = await this.proveIdentity(caller, current);
    await this.accountUsers.setPassword(user.id, next);
    await this.signOut.allLogins(user.id, 'password_changed', caller.loginId);
    this.record(AuditEventType.PasswordChanged, user.id);
    this.background.run('password change notice', () => this.mailer.passwordChanged(user.email));
  }

  /**
   * 202 whether or not the new address is free: a taken one gets no mail and nothing changes,
   * so this cannot be used to find out who has an account. The lookups run after the answer.
   */
  async requestEmailChange(
    caller: AccountCaller,
    newEmail: string,
    password: string,
  ): Promise<void> {
    const user = await this.proveIdentity(caller, password);
    const to = normalizeEmail(newEmail);
    await this.mailThrottle.hit(to, caller.ip);
    this.background.run('address change link', async () => {
      if (to === user.email || (await this.users.findByEmail(to))) return;
      const token = await this.tokens.issue(
        user.id,
        'change_email',
        to,
        this.account.emailVerificationTtl,
      );
      await this.mailer.confirmNewAddress(to, token);
    });
  }

  /** The caller's user if `password` is theirs; 401 `invalid_credentials` otherwise. */
  private async proveIdentity(caller: AccountCaller, password: string): Promise<UserEntity> {
    const user = await this.users.findById(caller.userId);
    if (!user || user.disabled) {
      throw new KeycardError(ErrorCode.InvalidToken, { reason: 'user gone' });
    }
    await this.loginThrottle.beginAttempt(user.email, caller.ip);
    let verified: UserEntity | null;
    try {
      verified = await this.users.verifyCredentials(user.email, password);
    } catch (error) {
      await this.loginThrottle.abandon(user.email, caller.ip);
      throw error;
    }
    if (!verified) {
      throw new KeycardError(ErrorCode.InvalidCredentials, {
        message: 'The current password is not correct',
        reason: 'wrong current password for a credential change',
      });
    }
    await this.loginThrottle.recordSuccess(user.email, caller.ip);
    return verified;
  }

  private record(type: AuditEventType, userId: string): void {
    void this.audit.record({
      type,
      outcome: 'success',
      actor: { type: 'user', id: userId },
      subjectId: userId,
    });
  }
}
