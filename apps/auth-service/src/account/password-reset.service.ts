import { Inject, Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { assertAcceptablePassword } from '../users/password-policy';
import { UsersService } from '../users/users.service';
import { AccountBackground } from './account-background';
import { AccountMailThrottle } from './account-mail-throttle';
import { AccountMailer } from './account-mailer';
import { AccountSignOut } from './account-sign-out';
import { AccountTokensService, invalidLink } from './account-tokens.service';
import { AccountUsers } from './account-users';
import { ACCOUNT_SETTINGS, AccountSettings } from './account-settings';

/**
 * Password reset by mailed link. `forgot` answers before it looks anything up, so an address with
 * and without an account take the same time and get the same 202; nothing is mailed to an address
 * without an account. `reset` checks the new password first (a weak one leaves the link usable),
 * then uses the link once, sets the password and ends every login of the user.
 */
@Injectable()
export class PasswordResetService {
  constructor(
    private readonly users: UsersService,
    private readonly accountUsers: AccountUsers,
    private readonly tokens: AccountTokensService,
    private readonly mailer: AccountMailer,
    private readonly throttle: AccountMailThrottle,
    private readonly background: AccountBackground,
    private readonly signOut: AccountSignOut,
    @Inject(ACCOUNT_SETTINGS) private readonly account: AccountSettings,
    private readonly audit: AuditService,
  ) {}

  async forgot(email: string, ip: string): Promise<void> {
    await this.throttle.hit(email, ip);
    this.background.run('password reset mail', async () => {
      const user = await this.users.findByEmail(email);
      if (!user || user.disabled) return;
      const token = await this.tokens.issue(
        user.id,
        'reset_password',
        user.email,
        this.account.passwordResetTtl,
      );
      await this.mailer.resetPassword(user.email, token);
    });
  }

  /** Whether `token` is a live reset link (the page shows the form, or says the link is dead). */
  async linkIsLive(token: string): Promise<boolean> {
    return (await this.tokens.find(token, ['reset_password'])) !== null;
  }

  async reset(token: string, password: string): Promise<void> {
    assertAcceptablePassword(password);
    const link = await this.tokens.consume(token, ['reset_password']);
    const user = await this.users.findById(link.userId);
    if (!user || user.disabled) throw invalidLink('reset link of a deleted or disabled user');
    await this.accountUsers.setPassword(user.id, password, link.email);
    await this.signOut.allLogins(user.id, 'password_reset');
    void this.audit.record({
      type: AuditEventType.PasswordReset,
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      subjectId: user.id,
    });
    this.background.run('password change notice', () => this.mailer.passwordChanged(user.email));
  }
}
