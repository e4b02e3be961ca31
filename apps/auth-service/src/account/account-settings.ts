import type { Env } from '@keycard/common';
import { envBool, envDuration, envInt } from '@keycard/common';

/** Settings of the account flows (durations in seconds). */
export interface AccountSettings {
  /** `REQUIRE_VERIFIED_EMAIL`: an unverified address cannot sign in (403 `email_not_verified`). */
  requireVerifiedEmail: boolean;
  /** `PASSWORD_RESET_TTL`: lifetime of a reset link. */
  passwordResetTtl: number;
  /** `EMAIL_VERIFICATION_TTL`: lifetime of a verification or e-mail change link. */
  emailVerificationTtl: number;
  /** `ACCOUNT_MAIL_RATE_LIMIT`: reset and verification requests per address an hour. */
  mailRateLimitPerAddress: number;
  /** `ACCOUNT_MAIL_IP_RATE_LIMIT`: such requests per client IP in ten minutes. */
  mailRateLimitPerIp: number;
}

/** Parses the account settings once, at start-up. */
export function loadAccountSettings(env: Env): AccountSettings {
  return {
    requireVerifiedEmail: envBool(env, 'REQUIRE_VERIFIED_EMAIL', false),
    passwordResetTtl: envDuration(env, 'PASSWORD_RESET_TTL', '30m', 60, 86_400),
    emailVerificationTtl: envDuration(env, 'EMAIL_VERIFICATION_TTL', '24h', 300, 30 * 86_400),
    mailRateLimitPerAddress: envInt(env, 'ACCOUNT_MAIL_RATE_LIMIT', 5, 1, 100_000),
    mailRateLimitPerIp: envInt(env, 'ACCOUNT_MAIL_IP_RATE_LIMIT', 30, 1, 100_000),
  };
}
