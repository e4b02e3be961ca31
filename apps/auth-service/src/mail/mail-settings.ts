import type { Env } from '@keycard/common';
import { ConfigError, envOptional, envString } from '@keycard/common';

/** How account mail leaves the service (`SMTP_URL`, `MAIL_FROM`). */
export interface MailSettings {
  /** `smtp://user:pass@host:587` or `smtps://…`; undefined: `.eml` files under `DATA_DIR/mail/`. */
  smtpUrl: string | undefined;
  /** The `From` of every message. */
  from: string;
}

/** Injection token of the `MailSettings` (provided at the root, `app/settings.module.ts`). */
export const MAIL_SETTINGS = Symbol('MAIL_SETTINGS');

export const DEFAULT_MAIL_FROM = 'Keycard <no-reply@localhost>';

/** Parses and checks `SMTP_URL` and `MAIL_FROM` once, at start-up. */
export function loadMailSettings(env: Env): MailSettings {
  const smtpUrl = envOptional(env, 'SMTP_URL');
  if (smtpUrl !== undefined) {
    let url: URL;
    try {
      url = new URL(smtpUrl);
    } catch {
      throw new ConfigError('SMTP_URL', 'must be a URL such as smtp://user:pass@host:587');
    }
    if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
      throw new ConfigError('SMTP_URL', 'must start with smtp:// or smtps://');
    }
  }
  const from = envString(env, 'MAIL_FROM', DEFAULT_MAIL_FROM);
  if (!/@/.test(from) || /[\r\n]/.test(from)) {
    throw new ConfigError(
      'MAIL_FROM',
      'must be an address such as "Keycard <no-reply@example.com>"',
    );
  }
  return { smtpUrl, from };
}
