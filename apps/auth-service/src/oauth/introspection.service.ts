import { Inject, Injectable } from '@nestjs/common';
import { AccessTokenVerifier } from '@keycard/auth';
import { Clock, KeycardError } from '@keycard/common';
import { decode, JwtPayload } from 'jsonwebtoken';
import { ClientsService } from '../clients/clients.service';
import { RefreshTokensService } from '../tokens/refresh-tokens.service';
import { API_KEY_INTROSPECTOR, ApiKeyIntrospector } from './api-key-hooks';
import { OAuthClientAuthenticator } from './oauth-client-authenticator';
import { OAuthRequest } from './oauth-params';
import { presentedToken, tokenKind } from './token-kind';

/** An RFC 7662 answer: `{active: false}` alone, or the token's claims. */
export type IntrospectionResponse =
  | { active: false }
  | ({ active: true } & Record<string, unknown>);

const INACTIVE: IntrospectionResponse = Object.freeze({ active: false });

function seconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * `POST /oauth/introspect` (RFC 7662) for registered clients. Access tokens are verified with the
 * guard's own rules, refresh tokens are looked up, API keys go to the api-keys module. Every kind
 * of failure gives the same `{active: false}`: the answer never says why.
 */
@Injectable()
export class IntrospectionService {
  constructor(
    private readonly clientAuth: OAuthClientAuthenticator,
    private readonly verifier: AccessTokenVerifier,
    private readonly refreshTokens: RefreshTokensService,
    private readonly clients: ClientsService,
    private readonly clock: Clock,
    @Inject(API_KEY_INTROSPECTOR) private readonly apiKeys: ApiKeyIntrospector,
  ) {}

  async introspect(request: OAuthRequest): Promise<IntrospectionResponse> {
    // RFC 7662 §2.1: only a client that proved who it is (a secret) may introspect.
    await this.clientAuth.requireConfidential(request);
    const token = presentedToken(request.params);
    const kind = tokenKind(token);
    switch (kind) {
      case 'access_token':
        return this.accessToken(token);
      case 'refresh_token':
        return this.refreshToken(token);
      case 'api_key':
        return this.apiKey(token);
      case 'unknown':
        return INACTIVE;
    }
  }

  private async accessToken(token: string): Promise<IntrospectionResponse> {
    let sub: string;
    try {
      ({ sub } = await this.verifier.verify(token));
    } catch (error) {
      if (error instanceof KeycardError) return INACTIVE;
      throw error;
    }
    // Verified above, so the payload is there; read the registered claims the principal omits.
    const claims: JwtPayload & Record<string, unknown> = decode(token, { json: true }) ?? {};
    const clientId = typeof claims['client_id'] === 'string' ? claims['client_id'] : undefined;
    // A revoked client's tokens stop for every service that introspects: at once on the instance
    // that revoked it, within CLIENT_CACHE_TTL on the others.
    if (clientId !== undefined && (await this.clients.findActive(clientId)) === null)
      return INACTIVE;
    return {
      active: true,
      token_type: 'access_token',
      sub,
      scope: typeof claims['scope'] === 'string' ? claims['scope'] : '',
      ...(clientId !== undefined ? { client_id: clientId } : {}),
      exp: claims.exp,
      iat: claims.iat,
      iss: claims.iss,
      aud: claims.aud,
      jti: claims.jti,
      ...(typeof claims['sid'] === 'string' ? { sid: claims['sid'] } : {}),
      roles: Array.isArray(claims['roles']) ? claims['roles'] : [],
    };
  }

  private async refreshToken(token: string): Promise<IntrospectionResponse> {
    const record = await this.refreshTokens.lookup(token);
    if (record === undefined) return INACTIVE;
    const { token: row, family } = record;
    if (row.rotatedAt !== null || row.expiresAt <= this.clock.now() || family.revokedAt !== null)
      return INACTIVE;
    return {
      active: true,
      token_type: 'refresh_token',
      sub: family.userId,
      scope: family.scope,
      ...(family.clientId !== null ? { client_id: family.clientId } : {}),
      exp: seconds(row.expiresAt),
      iat: seconds(row.createdAt),
      sid: family.id,
    };
  }

  private async apiKey(key: string): Promise<IntrospectionResponse> {
    let answer: Record<string, unknown> | null;
    try {
      answer = await this.apiKeys.introspect(key);
    } catch (error) {
      if (error instanceof KeycardError) return INACTIVE;
      throw error;
    }
    if (answer === null || answer['active'] === false) return INACTIVE;
    return { token_type: 'api_key', ...answer, active: true };
  }
}
