import { Logger } from '@nestjs/common';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type * as Nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';

/** One message as the outbox hands it to a transport. */
export interface OutgoingMail {
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** Where messages go: SMTP, or `.eml` files in development. Throws when a message was not taken. */
export abstract class MailTransport {
  abstract send(mail: OutgoingMail): Promise<void>;
  abstract close(): void;
}

/** nodemailer's codes for a server it could not reach or talk to (not one that refused). */
const UNREACHABLE_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS']);

/**
 * Whether `error` (thrown by `send`) says the mail server could not be reached (refused or failed
 * connection, timeout, unknown host) rather than that it refused this one message: the next
 * message would fail the same way.
 */
export function serverUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

/** Marks every message as machine-sent (RFC 3834), so auto-responders stay quiet. */
const HEADERS = { 'Auto-Submitted': 'auto-generated' };

function message(from: string, mail: OutgoingMail) {
  return {
    from,
    to: mail.to,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    headers: HEADERS,
  };
}

/**
 * A nodemailer transporter made by the first message rather than at start-up: nodemailer is
 * loaded then, and most processes send no mail for a long while (`npm run bench:start`). Its
 * settings were checked at start-up (`mail-settings.ts`).
 */
class LazyTransporter {
  private transporter?: Promise<Transporter>;

  constructor(private readonly make: (nodemailer: typeof Nodemailer) => Transporter) {}

  get(): Promise<Transporter> {
    this.transporter ??= import('nodemailer').then(this.make);
    return this.transporter;
  }

  close(): void {
    void this.transporter?.then((transporter) => transporter.close());
  }
}

/** `SMTP_URL`: nodemailer over SMTP, with bounded waits so a stuck server cannot hold the worker. */
export class SmtpMailTransport extends MailTransport {
  private readonly transporter: LazyTransporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
  ) {
    super();
    const options: SMTPTransport.Options = {
      url: smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    };
    this.transporter = new LazyTransporter((nodemailer) => nodemailer.createTransport(options));
  }

  async send(mail: OutgoingMail): Promise<void> {
    await (await this.transporter.get()).sendMail(message(this.from, mail));
  }

  close(): void {
    this.transporter.close();
  }
}

/**
 * Without `SMTP_URL` (development): each message becomes `DATA_DIR/mail/<time>-<id>.eml`, readable
 * by the owner only, and its links are logged at info, so `npm start` needs no mail server. This
 * log line is the one place a link's token is ever logged.
 */
export class FileMailTransport extends MailTransport {
  private readonly logger = new Logger('Mail');
  private readonly transporter: LazyTransporter;
  private readonly directory: string;

  constructor(
    dataDir: string,
    private readonly from: string,
  ) {
    super();
    this.directory = join(dataDir, 'mail');
    this.transporter = new LazyTransporter((nodemailer) =>
      nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' }),
    );
  }

  async send(mail: OutgoingMail): Promise<void> {
    const transporter = await this.transporter.get();
    const info = (await transporter.sendMail(message(this.from, mail))) as { message: Buffer };
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    const file = join(
      this.directory,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${mail.id}.eml`,
    );
    await writeFile(file, info.message, { mode: 0o600 });
    await chmod(file, 0o600); // the mode of writeFile applies only to a new file, under the umask
    const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
    this.logger.log(
      `Development mail to ${mail.to} ("${mail.subject}") written to ${file}${links.length > 0 ? `; link: ${links.join(' ')}` : ''}`,
    );
  }

  close(): void {
    this.transporter.close();
  }
}
