import type { Env } from '@keycard/common';
import { loadAccountSettings } from '../account/account-settings';
import { loadAuthConfig } from '../config/auth.config';
import { loadGoogleSettings } from '../google/google-settings';
import { loadMailSettings } from '../mail/mail-settings';
import { loadMfaSettings } from '../mfa/mfa-settings';
import { loadRetentionSettings } from '../retention/retention-settings';
import { loadBootstrapAdmin } from '../users/bootstrap-admin-settings';

/**
 * Every setting of the auth-service, parsed and validated once, at start-up (`main.ts` calls it
 * before Nest starts, so a bad value ends start-up with one line naming the variable): the
 * shared settings of `config/` and each feature's own, composed here at the root only.
 */
export function loadSettings(env: Env) {
  const shared = loadAuthConfig(env);
  return {
    ...shared,
    /** `BOOTSTRAP_ADMIN_EMAIL`, `BOOTSTRAP_ADMIN_PASSWORD` (`users/bootstrap-admin-settings.ts`). */
    bootstrapAdmin: loadBootstrapAdmin(env),
    /** The retention job's settings (`retention/retention-settings.ts`). */
    retention: loadRetentionSettings(env),
    /** `SMTP_URL`, `MAIL_FROM` (`mail/mail-settings.ts`). */
    mail: loadMailSettings(env),
    /** `REQUIRE_VERIFIED_EMAIL`, `PASSWORD_RESET_TTL`, … (`account/account-settings.ts`). */
    account: loadAccountSettings(env),
    /** The `GOOGLE_*` settings (`google/google-settings.ts`); undefined when Google sign-in is off. */
    google: loadGoogleSettings(env, shared.issuer),
    /** `MFA_REQUIRED_ROLES`, `WEBAUTHN_RP_ID`, … (`mfa/mfa-settings.ts`), from the issuer parsed once. */
    mfa: loadMfaSettings(env, shared.issuer),
  };
}

export type KeycardSettings = ReturnType<typeof loadSettings>;
