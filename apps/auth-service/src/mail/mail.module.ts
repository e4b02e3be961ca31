import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig, AuthSettings } from '../config/auth.config';
import { MAIL_SETTINGS, MailSettings } from './mail-settings';
import { MailMessageEntity } from './mail-message.entity';
import { MailMetrics } from './mail-metrics';
import { MailOutbox } from './mail-outbox.service';
import { MailOutboxWorker } from './mail-outbox.worker';
import { FileMailTransport, MailTransport, SmtpMailTransport } from './mail-transport';

/**
 * Account mail: the outbox (`MailOutbox.enqueue`), its background worker, and the transport —
 * SMTP when `SMTP_URL` is set, else `.eml` files under `DATA_DIR/mail/`. Needs the global `Clock`
 * and `authConfig` and a TypeORM connection.
 */
@Module({
  imports: [TypeOrmModule.forFeature([MailMessageEntity])],
  providers: [
    {
      provide: MailTransport,
      inject: [authConfig.KEY, MAIL_SETTINGS],
      useFactory: ({ dataDir }: AuthSettings, mail: MailSettings): MailTransport =>
        mail.smtpUrl
          ? new SmtpMailTransport(mail.smtpUrl, mail.from)
          : new FileMailTransport(dataDir, mail.from),
    },
    MailMetrics,
    MailOutboxWorker,
    MailOutbox,
  ],
  exports: [MailOutbox, MailOutboxWorker],
})
export class MailModule {}
