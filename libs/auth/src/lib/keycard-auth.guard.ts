import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ErrorCode, invalidToken, KeycardError, missingCredentials } from '@keycard/common';
import type { IncomingHttpHeaders } from 'node:http';
import { IS_PUBLIC_KEY, ROLES_KEY, SCOPES_KEY } from './decorators';
import { KEYCARD_API_KEYS } from './api-keys/api-key-setup';
import type { ApiKeyAuthenticator } from './api-keys/api-key.authenticator';
import { KEYCARD_AUTH_OPTIONS, PrincipalRefresher, ResolvedKeycardAuthOptions } from './options';
import { ApiKeyPassportGuard, JwtPassportGuard } from './passport-guards';
import type { Principal } from './principal';
import { API_KEY_HEADER } from './strategies/api-key.strategy';
import { accessTokenKid, bearerToken, isWellFormedToken } from './token-rules';
import { VerifiedTokenCache } from './verified-token.cache';

/** What a route asks of its caller, read once per route from its decorators. */
interface RoutePolicy {
  isPublic: boolean;
  roles: string[];
  scopes: string[];
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
 * The one global guard, deny by default. Picks the strategy from the credential presented
 * (bearer token, else `X-API-Key` when API keys are configured, else the fallback
 * authenticators), puts the principal on `request.user`, then applies `@Roles` and `@Scopes`.
 * A bearer token already verified is served from the VerifiedTokenCache without passport: that
 * path stays synchronous (a header read, a prefix compare, a slice and a Map lookup) unless
 * `refreshPrincipal` is set, which then decides who the bearer is now. API keys
 * go through `ApiKeyAuthenticator` (rate limit, then a cached answer, else the passport
 * `X-API-Key` strategy).
 */
@Injectable()
export class KeycardAuthGuard implements CanActivate {
  private readonly policies = new WeakMap<object, WeakMap<object, RoutePolicy>>();
  private readonly jwtGuard = new JwtPassportGuard();
  private readonly apiKeyGuard = new ApiKeyPassportGuard();

  constructor(
    private readonly reflector: Reflector,
    private readonly cache: VerifiedTokenCache,
    @Inject(KEYCARD_AUTH_OPTIONS) private readonly options: ResolvedKeycardAuthOptions,
    @Inject(KEYCARD_API_KEYS) private readonly apiKeys: ApiKeyAuthenticator | null,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const policy = this.policyOf(context);
    if (policy.isPublic) return true;
    // Deny what this guard cannot read (RPC, WebSocket) rather than guess at its credentials.
    if (context.getType() !== 'http') return false;
    // The HTTP request is argument 0; switchToHttp() would allocate three closures per request.
    const request = context.getArgByIndex<AuthRequest>(0);
    const token = bearerToken(request.headers.authorization);
    if (token !== undefined) {
      const cached = this.cache.get(token);
      if (cached === undefined) return this.verifyBearer(context, request, token, policy);
      const refresh = this.options.refreshPrincipal;
      if (refresh === undefined) return admit(request, cached, policy);
      return this.admitCurrent(refresh, request, cached, policy);
    }
    const apiKey = request.headers[API_KEY_HEADER];
    if (this.apiKeys !== null && apiKey !== undefined) {
      // A key whose answer is cached, counted in process: no promise, like a cached token.
      const principal = this.apiKeys.authenticateNow(apiKey, context.getArgByIndex<unknown>(1));
      if (principal === undefined)
        return this.verifyApiKey(this.apiKeys, context, request, apiKey, policy);
      admit(request, principal, policy);
      this.apiKeys.recordHotUse(principal);
      return true;
    }
    return this.tryFallbacks(request, policy);
  }

  private async verifyBearer(
    context: ExecutionContext,
    request: AuthRequest,
    token: string,
    policy: RoutePolicy,
  ): Promise<boolean> {
    if (!isWellFormedToken(token)) throw invalidToken('malformed bearer token');
    await this.jwtGuard.canActivate(context);
    const principal = authenticated(request);
    this.cache.set(token, principal, accessTokenKid(token));
    const refresh = this.options.refreshPrincipal;
    if (refresh === undefined) return admit(request, principal, policy);
    return this.admitCurrent(refresh, request, principal, policy);
  }

  /** The token verified; `refreshPrincipal` says who its bearer is now, or refuses it. */
  private async admitCurrent(
    refresh: PrincipalRefresher,
    request: AuthRequest,
    verified: Principal,
    policy: RoutePolicy,
  ): Promise<boolean> {
    // Passport put the token's principal on the request: nothing may read it unless it passes.
    request.user = null;
    const current = await refresh(verified);
    if (current === null) throw invalidToken('the user or login of the token is no longer valid');
    return admit(request, current, policy);
  }

  private async verifyApiKey(
    apiKeys: ApiKeyAuthenticator,
    context: ExecutionContext,
    request: AuthRequest,
    header: string | string[],
    policy: RoutePolicy,
  ): Promise<boolean> {
    const principal = await apiKeys.authenticate(
      header,
      context.getArgByIndex<unknown>(1),
      () => this.apiKeyGuard.verify(context),
      request.ip,
    );
    admit(request, principal, policy);
    apiKeys.recordUse(principal);
    return true;
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
      };
      byHandler.set(handler, policy);
    }
    return policy;
  }
}

function authenticated(request: AuthRequest): Principal {
  const principal = request.user;
  if (!principal) throw invalidToken('strategy produced no principal');
  return principal;
}

/** Authorizes the principal for the route, then hands it to the request. */
function admit(request: AuthRequest, principal: Principal, policy: RoutePolicy): true {
  if (policy.roles.length > 0 && !policy.roles.some((role) => principal.roles.includes(role))) {
    throw new KeycardError(ErrorCode.Forbidden, {
      reason: `needs one of the roles ${policy.roles.join(', ')}`,
    });
  }
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
