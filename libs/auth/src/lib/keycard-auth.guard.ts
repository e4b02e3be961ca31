import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, invalidToken, KeycardError, missingCredentials } from '@keycard/common';
import type { IncomingHttpHeaders } from 'node:http';
import { IS_PUBLIC_KEY, ROLES_KEY, SCOPES_KEY } from './decorators';
import { assertMfaForRoles } from './step-up/mfa-roles';
import { AccessTokenVerifier } from './access-token.verifier';
import { KEYCARD_API_KEYS } from './api-keys/api-key-setup';
import type { ApiKeyAuthenticator } from './api-keys/api-key.authenticator';
import { KEYCARD_AUTH_OPTIONS, PrincipalRefresher, ResolvedKeycardAuthOptions } from './options';
import type { Principal } from './principal';
import { refuseRevoked, refuseWhileBehind } from './revocation/revocation-check';
import type { RevocationFollower } from './revocation/revocation-follower';
import { KEYCARD_REVOCATIONS, type Revocations } from './revocation/revocation-setup';
import { accessTokenKid, bearerToken, isWellFormedToken } from './token-rules';
import { VerifiedTokenCache } from './verified-token.cache';

/** The only place an API key is read from (never the query string, never another header). */
const API_KEY_HEADER = 'x-api-key';

/** What a route asks of its caller, read once per route from its decorators. */
interface RoutePolicy {
  isPublic: boolean;
  roles: string[];
  scopes: string[];
  /** The route's roles that are in `mfaRequiredRoles` (`step-up/mfa-roles.ts`). */
  mfaRoles: string[];
}

/** The part of an Express or Fastify request the guard touches. */
interface AuthRequest {
  headers: IncomingHttpHeaders;
  /** `null` on Fastify, where the module declares it up front. */
  user?: Principal | null;
  /** The client address as the platform sees it (its trust-proxy setting applied). */
  ip?: string;
}

/**
 * The one global guard, deny by default. Picks the credential presented (bearer token, else
 * `X-API-Key` when API keys are configured, else the fallback authenticators), puts the principal
 * on `request.user`, then applies `@Roles` and `@Scopes`. No passport: a bearer token is checked by
 * `AccessTokenVerifier` and an API key by the `ApiKeyAuthenticator`, each called directly.
 *
 * A cached bearer token (`VerifiedTokenCache`) or a cached, in-process-counted API key is admitted
 * without a promise (a header read and a few Map lookups) unless `refreshPrincipal` is set, which
 * then decides who the bearer is now.
 */
@Injectable()
export class KeycardAuthGuard implements CanActivate {
  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();
  /** The auth-service's revocations as this verifier knows them; null when not followed. */
  private readonly revoked: RevocationFollower | null;

  constructor(
    private readonly reflector: Reflector,
    private readonly cache: VerifiedTokenCache,
    private readonly tokens: AccessTokenVerifier,
    @Inject(KEYCARD_AUTH_OPTIONS) private readonly options: ResolvedKeycardAuthOptions,
    @Inject(KEYCARD_API_KEYS) private readonly apiKeys: ApiKeyAuthenticator | null,
    // Required (KeycardAuthModule provides it): null means `revocation: false`, never a mis-wiring.
    @Inject(KEYCARD_REVOCATIONS) revocations: Revocations | null,
  ) {
    this.revoked = revocations?.follower ?? null;
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    // Deny what this guard cannot read (RPC, WebSocket) rather than guess at its credentials.
    if (context.getType() !== 'http') return false;
    refuseWhileBehind(this.revoked);
    // The HTTP request is argument 0; switchToHttp() would allocate three closures per request.
    const request = context.getArgByIndex<AuthRequest>(0);
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined) {
      const cached = this.cache.get(token);
      if (cached === undefined) return this.verifyBearer(request, token, policy);
      return this.admitBearer(request, cached, policy);
    }
    const apiKey = request.headers[API_KEY_HEADER];
    if (this.apiKeys !== null && apiKey !== undefined)
      return this.admitApiKey(this.apiKeys, context, request, apiKey, policy);
    return this.tryFallbacks(request, policy);
  }

  private async verifyBearer(
    request: AuthRequest,
    token: string,
    policy: RoutePolicy,
  ): Promise<boolean> {
    if (!isWellFormedToken(token)) throw invalidToken('malformed bearer token');
    const kid = accessTokenKid(token);
    if (this.revoked?.deny.refusesKid(kid)) throw invalidToken(`signing key ${kid} revoked`);
    const principal = await this.tokens.verify(token);
    this.cache.set(token, principal, kid);
    return this.admitBearer(request, principal, policy);
  }

  /** A verified token's principal, or who `refreshPrincipal` says its bearer is now. */
  private admitBearer(
    request: AuthRequest,
    verified: Principal,
    policy: RoutePolicy,
  ): boolean | Promise<boolean> {
    refuseRevoked(this.revoked, verified);
    const refresh = this.options.refreshPrincipal;
    if (refresh === undefined) return admit(request, verified, policy);
    return this.admitCurrent(refresh, request, verified, policy);
  }

  private async admitCurrent(
    refresh: PrincipalRefresher,
    request: AuthRequest,
    verified: Principal,
    policy: RoutePolicy,
  ): Promise<boolean> {
    const current = await refresh(verified);
    if (current === null) throw invalidToken('the user or login of the token is no longer valid');
    return admit(request, current, policy);
  }

  /** The API-key step: one time for the whole request, then the principal, at once or awaited. */
  private admitApiKey(
    apiKeys: ApiKeyAuthenticator,
    context: ExecutionContext,
    request: AuthRequest,
    header: string | string[],
    policy: RoutePolicy,
  ): boolean | Promise<boolean> {
    const now = apiKeys.clock.now();
    const response = context.getArgByIndex<unknown>(1);
    const principal = apiKeys.authenticate(header, response, request, now);
    if (!isPromise(principal))
      return admitKeyUse(apiKeys, request, this.unrevoked(principal), policy, now);
    return principal.then((verified) =>
      admitKeyUse(apiKeys, request, this.unrevoked(verified), policy, apiKeys.clock.now()),
    );
  }

  /** A key the auth-service revoked since its answer was cached is refused (401). */
  private unrevoked(principal: Principal): Principal {
    refuseRevoked(this.revoked, principal);
    return principal;
  }

  private async tryFallbacks(request: AuthRequest, policy: RoutePolicy): Promise<boolean> {
    for (const authenticator of this.options.fallbackAuthenticators) {
      const principal = await authenticator.authenticate(request);
      if (principal) return admit(request, principal, policy);
    }
    throw missingCredentials();
  }

  private policyOf(context: ExecutionContext): RoutePolicy {
    const controller = context.getClass();
    const handler = context.getHandler();
    let byHandler = this.policies.get(controller);
    if (byHandler === undefined) {
      byHandler = new WeakMap();
      this.policies.set(controller, byHandler);
    }
    let policy = byHandler.get(handler);
    if (policy === undefined) {
      const targets = [handler, controller];
      policy = {
        isPublic:
          this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets) === true,
        roles: this.reflector.getAllAndOverride<string[] | undefined>(ROLES_KEY, targets) ?? [],
        scopes: [...new Set(this.reflector.getAllAndMerge<string[]>(SCOPES_KEY, targets))],
        mfaRoles: [],
      };
      policy.mfaRoles = policy.roles.filter((role) => this.options.mfaRequiredRoles.includes(role));
      byHandler.set(handler, policy);
    }
    return policy;
  }
}

/** `admit`, then the API key's use counted at `now`: a refused request is not usage. */
function admitKeyUse(
  apiKeys: ApiKeyAuthenticator,
  request: AuthRequest,
  principal: Principal,
  policy: RoutePolicy,
  now: number,
): true {
  admit(request, principal, policy);
  apiKeys.recordUse(principal, now);
  return true;
}

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown }).then === 'function';
}

/** Authorizes the principal for the route, then hands it to the request. */
function admit(request: AuthRequest, principal: Principal, policy: RoutePolicy): true {
  if (policy.roles.length > 0 && !policy.roles.some((role) => principal.roles.includes(role))) {
    throw new KeycardError(ErrorCode.Forbidden, {
      reason: `needs one of the roles ${policy.roles.join(', ')}`,
    });
  }
  assertMfaForRoles(principal, policy.roles, policy.mfaRoles);
  if (
    principal.scopeRestricted &&
    policy.scopes.some((scope) => !principal.scopes.includes(scope))
  ) {
    const scope = policy.scopes.join(' ');
    throw new KeycardError(ErrorCode.InsufficientScope, {
      reason: `needs the scopes ${scope}`,
      headers:
        principal.authType === 'jwt'
          ? { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${scope}"` }
          : {},
    });
  }
  request.user = principal;
  return true;
}
