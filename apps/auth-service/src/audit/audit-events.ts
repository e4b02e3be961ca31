/** Every kind of security event the auth-service records. */
export const AuditEventType = {
  LoginSuccess: 'auth.login.success',
  LoginFailure: 'auth.login.failure',
  RefreshReuseDetected: 'auth.refresh.reuse_detected',
  Logout: 'auth.logout',
  LogoutAll: 'auth.logout_all',
  SessionLoginSuccess: 'session.login.success',
  SessionLoginFailure: 'session.login.failure',
  SessionRevoked: 'session.revoked',
  KeysRotated: 'keys.rotated',
  KeysRevoked: 'keys.revoked',
  ApiKeyCreated: 'api_key.created',
  ApiKeyRotated: 'api_key.rotated',
  ApiKeyRevoked: 'api_key.revoked',
  ClientCreated: 'client.created',
  ClientRevoked: 'client.revoked',
  ClientSecretRotated: 'client.secret_rotated',
  ClientUpdated: 'client.updated',
  /** OpenID Provider (oidc/): a user consented to an app's scopes, or removed a connected app. */
  OidcConsentGranted: 'oidc.consent.granted',
  OidcConsentRevoked: 'oidc.consent.revoked',
  /** An authorization code issued to an app, redeemed, or presented a second time (replay). */
  OidcCodeIssued: 'oidc.code.issued',
  OidcCodeRedeemed: 'oidc.code.redeemed',
  OidcCodeReplayed: 'oidc.code.replayed',
  /** RP-initiated logout ended a browser session. */
  OidcLogout: 'oidc.logout',
  UserRolesChanged: 'user.roles_changed',
  UserDisabled: 'user.disabled',
  UserEnabled: 'user.enabled',
  UserRegistered: 'user.registered',
  /** The first sign-up refused (429) from an address in a window; the rest are only counted. */
  RegisterRateLimited: 'auth.register.rate_limited',
  /** The first Google sign-in start refused (429) from an address in a window. */
  GoogleStartRateLimited: 'auth.google.rate_limited',
  /** Account e-mail flows (account/): an address proven by a mailed link. */
  EmailVerified: 'account.email_verified',
  /** A password set through a reset link: every session and refresh token of the user ended. */
  PasswordReset: 'account.password_reset',
  /** A password changed with the current one: every other session and login ended. */
  PasswordChanged: 'account.password_changed',
  /** A new address confirmed from the link mailed to it. */
  EmailChanged: 'account.email_changed',
  /** Second factors (mfa/): a TOTP app or passkey added or removed, codes renewed, an admin reset. */
  MfaFactorAdded: 'mfa.factor_added',
  MfaFactorRemoved: 'mfa.factor_removed',
  MfaRecoveryCodesRenewed: 'mfa.recovery_codes_renewed',
  MfaReset: 'mfa.reset',
  /** A wrong second-factor code at sign-in (TOTP or recovery), or a refused passkey. */
  MfaLoginFailure: 'auth.mfa.failure',
} as const;
export type AuditEventType = (typeof AuditEventType)[keyof typeof AuditEventType];

export const AUDIT_OUTCOMES = ['success', 'failure'] as const;
export type AuditOutcome = (typeof AUDIT_OUTCOMES)[number];

export type AuditActorType = 'user' | 'client' | 'api_key' | 'system';

/** Why a password sign-in failed (`details.reason` of a `*.login.failure`). */
export type LoginFailureReason = 'invalid_credentials' | 'rate_limited' | 'disabled';

/** Who did it. `id` is null only for `system`. */
export interface AuditActor {
  type: AuditActorType;
  id: string | null;
}

export const SYSTEM_ACTOR: AuditActor = { type: 'system', id: null };

/** Flat on purpose: details are a few facts, not a document. */
export type AuditValue = string | number | boolean | null | string[];
export type AuditDetails = Record<string, AuditValue>;

/** What a caller hands to `AuditService.record`. */
export interface AuditRecord {
  type: AuditEventType;
  outcome: AuditOutcome;
  /**
   * Omitted: taken from the authenticated principal of the current request (none: anonymous).
   * `null`: anonymous, whatever the request says.
   */
  actor?: AuditActor | null;
  subjectId?: string | null;
  /** Omitted: the current request's client IP. */
  ip?: string | null;
  /** Omitted: the current request's `User-Agent`. */
  userAgent?: string | null;
  /** Small, and never a secret: keys that look like one are dropped (`scrubDetails`). */
  details?: AuditDetails;
}
