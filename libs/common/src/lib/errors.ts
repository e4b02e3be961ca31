/** Stable error codes: the only thing callers and tests should match on. */
export enum ErrorCode {
  BadRequest = 'bad_request',
  ValidationFailed = 'validation_failed',
  PayloadTooLarge = 'payload_too_large',
  MissingCredentials = 'missing_credentials',
  InvalidToken = 'invalid_token',
  InvalidCredentials = 'invalid_credentials',
  InvalidApiKey = 'invalid_api_key',
  Forbidden = 'forbidden',
  InsufficientScope = 'insufficient_scope',
  CsrfFailed = 'csrf_failed',
  NotFound = 'not_found',
  Conflict = 'conflict',
  TooEarly = 'too_early',
  /** A change that would leave no enabled admin (demoting or disabling the last one). */
  LastAdmin = 'last_admin',
  /** A new password that is too short, too long or commonly used (the password policy). */
  WeakPassword = 'weak_password',
  /** `REQUIRE_VERIFIED_EMAIL`: the account's address must be verified before signing in. */
  EmailNotVerified = 'email_not_verified',
  /** The password was right; a second factor must follow (`POST /auth/login/mfa` with the `mfaToken`). */
  MfaRequired = 'mfa_required',
  /** A wrong one-time code where a form field is being checked (TOTP confirm): 400, not a 401. */
  InvalidCode = 'invalid_code',
  /** RFC 9470: the token is valid but its sign-in lacks a second factor or is too old. */
  InsufficientUserAuthentication = 'insufficient_user_authentication',
  /** `MFA_REQUIRED_ROLES`: this user must enrol a second factor before acting. */
  MfaEnrollmentRequired = 'mfa_enrollment_required',
  RateLimited = 'rate_limited',
  Unavailable = 'unavailable',
  /** The database or Redis is down, unreachable or too slow: retry shortly. */
  DependencyUnavailable = 'dependency_unavailable',
  Internal = 'internal',
  // RFC 6749 §5.2 error codes, used by the OAuth endpoints as they are.
  OAuthInvalidRequest = 'invalid_request',
  OAuthInvalidClient = 'invalid_client',
  OAuthInvalidGrant = 'invalid_grant',
  OAuthUnauthorizedClient = 'unauthorized_client',
  OAuthUnsupportedGrantType = 'unsupported_grant_type',
  OAuthInvalidScope = 'invalid_scope',
}

const STATUS: Record<ErrorCode, number> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.MissingCredentials]: 401,
  [ErrorCode.InvalidToken]: 401,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.InvalidApiKey]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.InsufficientScope]: 403,
  [ErrorCode.CsrfFailed]: 403,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.TooEarly]: 409,
  [ErrorCode.LastAdmin]: 409,
  [ErrorCode.WeakPassword]: 400,
  [ErrorCode.EmailNotVerified]: 403,
  [ErrorCode.MfaRequired]: 401,
  [ErrorCode.InvalidCode]: 400,
  [ErrorCode.InsufficientUserAuthentication]: 401,
  [ErrorCode.MfaEnrollmentRequired]: 403,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.Unavailable]: 503,
  [ErrorCode.DependencyUnavailable]: 503,
  [ErrorCode.Internal]: 500,
  [ErrorCode.OAuthInvalidRequest]: 400,
  [ErrorCode.OAuthInvalidClient]: 401,
  [ErrorCode.OAuthInvalidGrant]: 400,
  [ErrorCode.OAuthUnauthorizedClient]: 400,
  [ErrorCode.OAuthUnsupportedGrantType]: 400,
  [ErrorCode.OAuthInvalidScope]: 400,
};

const DEFAULT_MESSAGE: Record<ErrorCode, string> = {
  [ErrorCode.BadRequest]: 'Bad request',
  [ErrorCode.ValidationFailed]: 'Validation failed',
  [ErrorCode.PayloadTooLarge]: 'Payload too large',
  [ErrorCode.MissingCredentials]: 'Authentication required',
  [ErrorCode.InvalidToken]: 'Invalid token',
  [ErrorCode.InvalidCredentials]: 'Invalid credentials',
  [ErrorCode.InvalidApiKey]: 'Invalid API key',
  [ErrorCode.Forbidden]: 'Forbidden',
  [ErrorCode.InsufficientScope]: 'Insufficient scope',
  [ErrorCode.CsrfFailed]: 'CSRF check failed',
  [ErrorCode.NotFound]: 'Not found',
  [ErrorCode.Conflict]: 'Conflict',
  [ErrorCode.TooEarly]: 'Too early',
  [ErrorCode.LastAdmin]: 'This change would leave no active admin',
  [ErrorCode.WeakPassword]:
    'Choose a password of 8 to 128 characters that is not a commonly used one',
  [ErrorCode.EmailNotVerified]: 'Verify your email address before signing in',
  [ErrorCode.MfaRequired]: 'A second factor is required',
  [ErrorCode.InvalidCode]: 'The code is not valid',
  [ErrorCode.InsufficientUserAuthentication]:
    'This action needs a more recent sign-in or a second factor',
  [ErrorCode.MfaEnrollmentRequired]: 'Set up a second factor before continuing',
  [ErrorCode.RateLimited]: 'Too many requests',
  [ErrorCode.Unavailable]: 'Service unavailable',
  [ErrorCode.DependencyUnavailable]:
    'Service temporarily unavailable: a storage backend is not answering; retry shortly',
  [ErrorCode.Internal]: 'Internal server error',
  [ErrorCode.OAuthInvalidRequest]: 'The request is missing a parameter or is malformed',
  [ErrorCode.OAuthInvalidClient]: 'Client authentication failed',
  [ErrorCode.OAuthInvalidGrant]: 'The grant is invalid, expired or revoked',
  [ErrorCode.OAuthUnauthorizedClient]: 'The client may not use this grant type',
  [ErrorCode.OAuthUnsupportedGrantType]: 'Unsupported grant type',
  [ErrorCode.OAuthInvalidScope]: 'The requested scope is invalid or not allowed',
};

const OAUTH_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.OAuthInvalidRequest,
  ErrorCode.OAuthInvalidClient,
  ErrorCode.OAuthInvalidGrant,
  ErrorCode.OAuthUnauthorizedClient,
  ErrorCode.OAuthUnsupportedGrantType,
  ErrorCode.OAuthInvalidScope,
]);

/** RFC 6749 errors also carry `error_description` in their body. */
export function isOAuthCode(code: ErrorCode): boolean {
  return OAUTH_CODES.has(code);
}

export interface KeycardErrorOptions {
  /** Public message; defaults to a generic text for the code. Never put secrets here. */
  message?: string | string[];
  /** Why it failed, for logs only: never sent to the client. */
  reason?: string;
  /** Extra response headers (Retry-After, WWW-Authenticate, RateLimit-*). */
  headers?: Record<string, string>;
  /** Extra public body fields (for example `retryAfter`). */
  details?: Record<string, unknown>;
  /**
   * Only where the contract gives a code another status on one route: a mailed link's token is
   * `invalid_token` with 400 (a bad form field), not the 401 of a bad credential.
   */
  status?: number;
}

/** The one error type of Keycard: a code that maps to an HTTP status in `KeycardExceptionFilter`. */
export class KeycardError extends Error {
  readonly status: number;
  readonly publicMessage: string | string[];
  readonly reason?: string;
  readonly headers: Record<string, string>;
  readonly details: Record<string, unknown>;

  constructor(
    readonly code: ErrorCode,
    options: KeycardErrorOptions = {},
  ) {
    super(options.reason ?? String(options.message ?? DEFAULT_MESSAGE[code]));
    this.name = 'KeycardError';
    this.status = options.status ?? STATUS[code];
    this.publicMessage = options.message ?? DEFAULT_MESSAGE[code];
    this.reason = options.reason;
    this.headers = options.headers ?? {};
    this.details = options.details ?? {};
  }
}

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

export function defaultMessageOf(code: ErrorCode): string {
  return DEFAULT_MESSAGE[code];
}

/** 401 for a bearer token that was sent but did not verify (RFC 6750 §3.1). */
export function invalidToken(reason: string): KeycardError {
  return new KeycardError(ErrorCode.InvalidToken, {
    reason,
    headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
  });
}

/** 401 for a request that carried no credentials at all. */
export function missingCredentials(): KeycardError {
  return new KeycardError(ErrorCode.MissingCredentials, {
    headers: { 'WWW-Authenticate': 'Bearer' },
  });
}

/** 429 with `Retry-After` in whole seconds (at least 1). */
export function rateLimited(retryAfterSeconds: number, message?: string): KeycardError {
  const retryAfter = Math.max(1, Math.ceil(retryAfterSeconds));
  return new KeycardError(ErrorCode.RateLimited, {
    message,
    headers: { 'Retry-After': String(retryAfter) },
    details: { retryAfter },
  });
}
