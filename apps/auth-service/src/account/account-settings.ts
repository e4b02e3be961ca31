import type { Env } from '@keycard/common';
import { envDuration, envInt } from '@keycard/common';

/** Settings of the account flows (durations in seconds). */
export interface AccountSettings {
  /** `PASSWORD_RESET_TTL`: lifetime of a reset link. */
  passwordResetTtl: number;
  /** `EMAIL_VERIFICATION_TTL`: lifetime of a verification or e-mail change link. */
  emailVerificationTtl: number;
  /** `ACCOUNT_MAIL_RATE_LIMIT`: reset and verification requests per address an hour. */
  mailRateLimitPerAddress: number;
  /** `ACCOUNT_MAIL_IP_RATE_LIMIT`: such requests per client IP in ten minutes. */
  mailRateLimitPerIp: number;
}

/** Injection token of the `AccountSettings` (provided at the root, `app/settings.module.ts`). */
export const ACCOUNT_SETTINGS = Symbol('ACCOUNT_SETTINGS');

/** Parses the account settings once, at start-up. */
export function loadAccountSettings(env: Env): AccountSettings {
  return {
    passwordResetTtl: envDuration(env, 'PASSWORD_RESET_TTL', '30m', 60, 86_400),
    emailVerificationTtl: envDuration(env, 'EMAIL_VERIFICATION_TTL', '24h', 300, 30 * 86_400),
    mailRateLimitPerAddress: envInt(env, 'ACCOUNT_MAIL_RATE_LIMIT', 5, 1, 100_000),
    mailRateLimitPerIp: envInt(env, 'ACCOUNT_MAIL_IP_RATE_LIMIT', 30, 1, 100_000),
  };
}
