import { Inject, Injectable } from '@nestjs/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { AccountBackground } from './account-background';
import { AccountMailThrottle } from './account-mail-throttle';
import { AccountMailer } from './account-mailer';
import { AccountTokensService, invalidLink } from './account-tokens.service';
import { AccountUsers } from './account-users';
import { ACCOUNT_SETTINGS, AccountSettings } from './account-settings';

/**
 * Proving addresses: the link mailed at sign-up and on request (`resend`), and `confirm`, which
 * uses a link of either kind mailed to an address — verifying the current one, or moving the
 * account to a new one (e-mail change), after which the old address is told.
 */
@Injectable()
export class EmailVerificationService {
  constructor(
    private readonly users: UsersService,
    private readonly accountUsers: AccountUsers,
    private readonly tokens: AccountTokensService,
    private readonly mailer: AccountMailer,
    private readonly throttle: AccountMailThrottle,
    private readonly background: AccountBackground,
    @Inject(ACCOUNT_SETTINGS) private readonly account: AccountSettings,
    private readonly audit: AuditService,
  ) {}

  /** Mails `user` a verification link unless the address is verified already. */
  async sendFor(user: Pick<UserEntity, 'id' | 'email' | 'emailVerified'>): Promise<void> {
    if (user.emailVerified) return;
    const token = await this.tokens.issue(
      user.id,
      'verify_email',
      user.email,
      this.account.emailVerificationTtl,
    );
    await this.mailer.verifyAddress(user.email, token);
  }

  /** After sign-up: queued in the background, so a mail problem never fails the sign-up. */
  sendInBackground(user: Pick<UserEntity, 'id' | 'email' | 'emailVerified'>): void {
    this.background.run('verification mail', () => this.sendFor(user));
  }

  /**
   * `POST /auth/verify-email/resend`: counted (429), then answered 202 at once; the lookup and
   * the mail happen after, and only for an enabled account whose address is not yet verified.
   */
  async resend(email: string, ip: string): Promise<void> {
    await this.throttle.hit(email, ip);
    this.background.run('verification resend', async () => {
      const user = await this.users.findByEmail(email);
      if (user && !user.disabled) await this.sendFor(user);
    });
  }

  /** Whether `token` is a live link mailed to an address (verification or new address). */
  async linkIsLive(token: string): Promise<boolean> {
    return (await this.tokens.find(token, ['verify_email', 'change_email'])) !== null;
  }

  /** `POST /auth/verify-email`: uses the link; 400 `invalid_token` for any bad link. */
  async confirm(token: string): Promise<void> {
    const link = await this.tokens.consume(token, ['verify_email', 'change_email']);
    const user = await this.users.findById(link.userId);
    if (!user || user.disabled) throw invalidLink('link of a deleted or disabled user');
    if (link.purpose === 'verify_email') {
      if (!(await this.users.markEmailVerified(user, link.email))) {
        throw invalidLink('verification link for a former address');
      }
      this.record(AuditEventType.EmailVerified, user.id);
      return;
    }
    const previous = user.email;
    if (!(await this.accountUsers.changeEmail(user.id, previous, link.email))) {
      throw invalidLink('new address taken meanwhile, or the address changed since');
    }
    this.record(AuditEventType.EmailChanged, user.id);
    this.background.run('address change notice', () =>
      this.mailer.addressChanged(previous, link.email),
    );
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
