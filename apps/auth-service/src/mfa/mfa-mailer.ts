import { Injectable, Logger } from '@nestjs/common';
import { composeMail } from '../mail/mail-layout';
import { MailOutbox } from '../mail/mail-outbox.service';

const SECURE_IT =
  'If this was not you, reset your password at once and sign out of every session from your account page.';

/** What changed, in the words of the mail. */
export type FactorChange =
  | 'authenticator app added'
  | 'authenticator app removed'
  | 'passkey added'
  | 'passkey removed'
  | 'recovery codes renewed'
  | 'second factors reset by an administrator';

/**
 * Tells users when their second factors change (contract section 6: "the user is mailed when
 * their password, e-mail or second factors change"). Queued in the outbox; a mail that cannot be
 * queued never fails the change itself.
 */
@Injectable()
export class MfaMailer {
  private readonly logger = new Logger(MfaMailer.name);

  constructor(private readonly outbox: MailOutbox) {}

  async factorsChanged(to: string, change: FactorChange): Promise<void> {
    try {
      await this.outbox.enqueue(
        composeMail({
          to,
          subject: 'Your sign-in methods changed',
          lines: [`The second factors of your Keycard account changed: ${change}.`],
          footer: [SECURE_IT],
        }),
      );
    } catch (error) {
      this.logger.warn(`second-factor notice not queued: ${(error as Error).message}`);
    }
  }
}
