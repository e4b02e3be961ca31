import type { Env } from '@keycard/common';
import { ConfigError, envDuration, envHttpUrl, envInt, envList, envString } from '@keycard/common';

/** Settings of second factors and step-up (durations in seconds). */
export interface MfaSettings {
  /** `MFA_REQUIRED_ROLES`: users with one of these roles must enrol a second factor, and routes of these roles need `mfa` in `amr`. */
  requiredRoles: string[];
  /** `MFA_MAX_FAILURES`: wrong codes (TOTP or recovery) per user before 429. */
  maxFailures: number;
  /** `MFA_LOCKOUT`: the window those failures are counted in. */
  lockout: number;
  /** `MFA_TOKEN_TTL`: how long the `mfaToken` of a password step stays usable. */
  tokenTtl: number;
  /** `TOTP_ISSUER`: the name authenticator apps show next to the account. */
  totpIssuer: string;
  /** `WEBAUTHN_RP_ID`: the passkeys' relying-party id, by default the issuer's host name. */
  rpId: string;
  /** `WEBAUTHN_ORIGIN`: the origin browsers sign passkey ceremonies for, by default the issuer's. */
  origin: string;
  /** `WEBAUTHN_RP_NAME`: the name a browser shows when a passkey is created. */
  rpName: string;
}

/** Injection token of the `MfaSettings` (provided at the root, `app/settings.module.ts`). */
export const MFA_SETTINGS = Symbol('MFA_SETTINGS');

/** Parses the second-factor settings once, at start-up. */
export function loadMfaSettings(env: Env, issuer: string): MfaSettings {
  const issuerUrl = new URL(issuer);
  const origin = new URL(envHttpUrl(env, 'WEBAUTHN_ORIGIN', issuerUrl.origin)).origin;
  const rpId = envString(env, 'WEBAUTHN_RP_ID', issuerUrl.hostname);
  const originHost = new URL(origin).hostname;
  // WebAuthn: the RP id must be the origin's host or a registrable suffix of it.
  if (originHost !== rpId && !originHost.endsWith(`.${rpId}`)) {
    throw new ConfigError('WEBAUTHN_RP_ID', `must be ${originHost} or a parent domain of it`);
  }
  return {
    requiredRoles: envList(env, 'MFA_REQUIRED_ROLES'),
    maxFailures: envInt(env, 'MFA_MAX_FAILURES', 5, 1, 100),
    lockout: envDuration(env, 'MFA_LOCKOUT', '15m', 1, 86_400),
    tokenTtl: envDuration(env, 'MFA_TOKEN_TTL', '5m', 30, 3600),
    totpIssuer: envString(env, 'TOTP_ISSUER', 'Keycard'),
    rpId,
    origin,
    rpName: envString(env, 'WEBAUTHN_RP_NAME', 'Keycard'),
  };
}
