import type { JWTPayload } from 'jose';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import type { Clock } from '@keycard/common';
import { constantTimeEqual } from '@keycard/common';
import { GoogleSignInFailure } from './google-failure';
import type { GoogleSettings } from './google-settings';

/** The parts of a token response Keycard uses (the refresh token is never read or kept). */
export interface GoogleTokens {
  accessToken: string;
  idToken?: string;
}

/** Leeway for `exp`/`iat` of Google's ID tokens (the contract allows at most 30 s). */
const CLOCK_TOLERANCE_SECONDS = 30;

/** fetch's own failures (no `instanceof Error`: they may come from another realm, as under Jest). */
function isNetworkFailure(error: unknown): boolean {
  const name =
    typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  return name === 'TimeoutError' || name === 'AbortError' || name === 'TypeError';
}

/**
 * Talks to the provider's token endpoint (authorization code + PKCE verifier, client_secret_post)
 * and verifies ID tokens against its JWKS with jose. Every call is bounded by the provider
 * timeout; failures become `GoogleSignInFailure`s whose reasons never hold a token or a code.
 */
export class GoogleTokenClient {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly issuers: string[];

  constructor(
    private readonly settings: GoogleSettings,
    private readonly clock: Clock,
  ) {
    this.jwks = createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: settings.httpTimeout * 1000,
      cooldownDuration: 30_000,
    });
    // Google's ID tokens say `https://accounts.google.com` or, for some clients, the bare host.
    this.issuers =
      settings.issuer === 'https://accounts.google.com'
        ? [settings.issuer, 'accounts.google.com']
        : [settings.issuer];
  }

  async exchangeCode(code: string, codeVerifier: string): Promise<GoogleTokens> {
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: this.settings.callbackUrl,
      client_id: this.settings.clientId,
      client_secret: this.settings.clientSecret,
      code_verifier: codeVerifier,
    });
    let response: Response;
    try {
      response = await fetch(this.settings.tokenUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(this.settings.httpTimeout * 1000),
      });
    } catch (error) {
      throw new GoogleSignInFailure(
        'unavailable',
        `token endpoint unreachable (${String((error as { name?: unknown }).name)})`,
      );
    }
    const json: unknown = await response.json().catch(() => null);
    if (response.status >= 500) {
      throw new GoogleSignInFailure('unavailable', `token endpoint answered ${response.status}`);
    }
    if (!response.ok) {
      throw new GoogleSignInFailure(
        'provider_error',
        `token endpoint answered ${response.status} (${errorCodeOf(json)})`,
      );
    }
    return parseTokens(json);
  }

  /** Signature (RS256 from the JWKS), `iss`, `aud` (and `azp`), `exp`, and the transaction's `nonce`. */
  async verifyIdToken(idToken: string, nonce: string): Promise<JWTPayload & { sub: string }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.jwks, {
        algorithms: ['RS256'],
        issuer: this.issuers,
        audience: this.settings.clientId,
        requiredClaims: ['sub', 'exp', 'iat'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        currentDate: new Date(this.clock.now()),
      }));
    } catch (error) {
      if (
        error instanceof errors.JWKSTimeout ||
        (!(error instanceof errors.JOSEError) && isNetworkFailure(error))
      ) {
        throw new GoogleSignInFailure('unavailable', 'JWKS unreachable');
      }
      const code = error instanceof errors.JOSEError ? error.code : 'unknown';
      throw new GoogleSignInFailure('bad_id_token', `ID token rejected (${code})`);
    }
    if (typeof payload['nonce'] !== 'string' || !constantTimeEqual(payload['nonce'], nonce)) {
      throw new GoogleSignInFailure(
        'bad_id_token',
        'ID token nonce does not match the transaction',
      );
    }
    if (
      Array.isArray(payload.aud) &&
      payload.aud.length > 1 &&
      payload['azp'] !== this.settings.clientId
    ) {
      throw new GoogleSignInFailure('bad_id_token', 'ID token azp is not this client');
    }
    if (typeof payload.sub !== 'string' || payload.sub === '') {
      throw new GoogleSignInFailure('bad_id_token', 'ID token has no subject');
    }
    return { ...payload, sub: payload.sub };
  }
}

function errorCodeOf(json: unknown): string {
  const error =
    typeof json === 'object' && json !== null
      ? (json as Record<string, unknown>)['error']
      : undefined;
  return typeof error === 'string' ? error.replace(/[^a-z_]/gi, '').slice(0, 40) : 'no error code';
}

function parseTokens(json: unknown): GoogleTokens {
  const record = typeof json === 'object' && json !== null ? (json as Record<string, unknown>) : {};
  const accessToken = record['access_token'];
  const tokenType = record['token_type'];
  const idToken = record['id_token'];
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new GoogleSignInFailure('bad_response', 'token response without an access token');
  }
  if (typeof tokenType !== 'string' || tokenType.toLowerCase() !== 'bearer') {
    throw new GoogleSignInFailure('bad_response', 'token response is not a Bearer token');
  }
  if (idToken !== undefined && typeof idToken !== 'string') {
    throw new GoogleSignInFailure('bad_response', 'token response has a malformed id_token');
  }
  return { accessToken, idToken };
}
