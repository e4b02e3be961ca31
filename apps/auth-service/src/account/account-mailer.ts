import { Inject, Injectable } from '@nestjs/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { ACCOUNT_SETTINGS, AccountSettings } from './account-settings';
import { composeMail } from '../mail/mail-layout';
import { MailOutbox } from '../mail/mail-outbox.service';

const NOT_YOU = 'If you did not ask for this, you can ignore this message: nothing changes.';
const SECURE_IT =
  'If this was not you, reset your password at once and sign out of every session from your account page.';

/**
 * The words of every account mail, queued in the outbox. Links point at pages of the issuer
 * (`/verify-email`, `/reset-password`) whose button posts the action, so opening a link (or a
 * mail scanner fetching it) changes nothing.
 */
@Injectable()
export class AccountMailer {
  private readonly issuer: string;

  constructor(
    private readonly outbox: MailOutbox,
    @Inject(authConfig.KEY) config: Pick<AuthSettings, 'issuer'>,
    @Inject(ACCOUNT_SETTINGS) private readonly account: AccountSettings,
  ) {
    this.issuer = config.issuer.replace(/\/+$/, '');
  }

  verifyAddress(to: string, token: string): Promise<void> {
    return this.outbox.enqueue(
      composeMail({
        to,
        subject: 'Verify your email address',
        lines: [`Confirm that ${to} is the address of your Keycard account.`],
        action: {
          label: 'Verify my address',
          url: this.link('verify-email', token),
          expiresInSeconds: this.account.emailVerificationTtl,
        },
        footer: [NOT_YOU],
      }),
    );
  }

  resetPassword(to: string, token: string): Promise<void> {
    return this.outbox.enqueue(
      composeMail({
        to,
        subject: 'Reset your password',
        lines: [`Someone asked to reset the password of the Keycard account of ${to}.`],
        action: {
          label: 'Choose a new password',
          url: this.link('reset-password', token),
          expiresInSeconds: this.account.passwordResetTtl,
        },
        footer: [
          'Using this link signs you out everywhere. An older reset link no longer works.',
          NOT_YOU,
        ],
      }),
    );
  }

  confirmNewAddress(to: string, token: string): Promise<void> {
    return this.outbox.enqueue(
      composeMail({
        to,
        subject: 'Confirm your new email address',
        lines: [`Confirm that ${to} should become the address of your Keycard account.`],
        action: {
          label: 'Use this address',
          url: this.link('verify-email', token),
          expiresInSeconds: this.account.emailVerificationTtl,
        },
        footer: [NOT_YOU],
      }),
    );
  }

  passwordChanged(to: string): Promise<void> {
    return this.outbox.enqueue(
      composeMail({
        to,
        subject: 'Your password was changed',
        lines: ['The password of your Keycard account was just changed.'],
        footer: [SECURE_IT],
      }),
    );
  }

  addressChanged(to: string, newAddress: string): Promise<void> {
    return this.outbox.enqueue(
      composeMail({
        to,
        subject: 'Your email address was changed',
        lines: [
          `The address of your Keycard account was changed from ${to} to ${newAddress}. Mail about the account now goes there.`,
        ],
        footer: [
          'If you did not make this change, contact your administrator at once: this address can no longer be used to recover the account.',
        ],
      }),
    );
  }

  private link(page: 'verify-email' | 'reset-password', token: string): string {
    return `${this.issuer}/${page}?token=${token}`;
  }
}
