import type { ApiKeyEnvironment } from '@keycard/common';

/** How a caller proved who it is. */
export type AuthType = 'jwt' | 'api_key' | 'session';

/**
 * The one typed description of the caller, put on `request.user` by the global guard.
 * Principals served from the verified-token cache are frozen: treat them as read-only.
 */
export interface Principal {
  /** User id, or client id for a service. */
  sub: string;
  authType: AuthType;
  roles: string[];
  /** Parsed from the space-separated `scope` claim. */
  scopes: string[];
  /**
   * True for API keys and client tokens (client_credentials: `client_id` present and
   * `sub === client_id`). User tokens are governed by roles, so `@Scopes()` does not restrict them.
   */
  scopeRestricted: boolean;
  clientId?: string;
  /** The login the token belongs to (`sid`). */
  sessionId?: string;
  /** `jti`, or the API key id. */
  tokenId?: string;
  /** Expiry, epoch milliseconds. */
  expiresAt?: number;
  /** `iat` of a token, epoch milliseconds (revocations of a user apply to tokens issued before them). */
  issuedAt?: number;
  /** How the user signed in (`amr`, RFC 8176: `pwd`, `otp`, `hwk`, `mfa`, …); absent for services and API keys. */
  amr?: string[];
  /** When the user signed in (`auth_time`), epoch milliseconds; what step-up's `maxAge` measures. */
  authTime?: number;
  /**
   * An API key's environment (`live` or `test`, from introspection); absent for tokens. A service
   * that serves both can keep test traffic apart with it, or refuse one kind outright
   * (`ApiKeyOptions.environments`).
   */
  environment?: ApiKeyEnvironment;
}

/**
 * A request past `KeycardAuthGuard` on a route that is not `@Public()`: the guard has put the
 * caller on `user`. For `@Req() request: AuthenticatedRequest` on hot routes, where
 * `@CurrentPrincipal()` costs more (Nest runs every custom parameter through the global
 * ValidationPipe, an async step per request; `@Req()` skips pipes).
 */
export interface AuthenticatedRequest {
  user: Principal;
}
