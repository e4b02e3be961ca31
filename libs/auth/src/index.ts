export type { AuthType, Principal } from './lib/principal';
export {
  KEYCARD_AUTH_OPTIONS,
  KEYCARD_KEY_RESOLVER,
  type ApiKeyVerifier,
  type CredentialAuthenticator,
  type KeycardAuthOptions,
  type KeyResolver,
  type PrincipalRefresher,
  type ResolvedKeycardAuthOptions,
  RATE_LIMIT_HEADER_POLICIES,
  type RateLimitHeaderPolicy,
  API_KEY_ENVIRONMENTS,
} from './lib/options';
export {
  RemoteJwksKeyResolver,
  type IssuerHealth,
  type JwksFetchOutcome,
  type RemoteJwksKeyResolverOptions,
} from './lib/remote-jwks.key-resolver';
export {
  loadServiceAuthSettings,
  serviceAuthOptions,
  type ServiceAuthSettings,
} from './lib/service/service-auth';
export { KeycardAuthModule, type KeycardAuthModuleAsyncOptions } from './lib/keycard-auth.module';
export { KeycardAuthGuard } from './lib/keycard-auth.guard';
export {
  Public,
  Roles,
  Scopes,
  CurrentPrincipal,
  principalOf,
  IS_PUBLIC_KEY,
} from './lib/decorators';
export { RequireAuth } from './lib/step-up/require-auth.decorator';
export {
  insufficientUserAuthentication,
  unmetStepUp,
  type StepUpRequirement,
} from './lib/step-up/step-up';
export { AccessTokenVerifier } from './lib/access-token.verifier';
export { VerifiedTokenCache } from './lib/verified-token.cache';
export type { ApiKeyOptions } from './lib/options';
export type { RateLimitedApiKeyVerifier, VerifiedApiKey } from './lib/api-keys/api-key-verifier';
export {
  IntrospectionApiKeyVerifier,
  type IntrospectionApiKeyVerifierOptions,
} from './lib/api-keys/introspection-api-key.verifier';
export {
  ApiKeyRateLimiter,
  API_KEY_RATE_WINDOW_SECONDS,
  DEFAULT_API_KEY_RATE_LIMIT,
  rateLimitHeaders,
  type RateLimitState,
} from './lib/api-keys/api-key-rate-limiter';
export { envApiKeyEnvironments } from './lib/api-keys/api-key-environments';
export {
  ApiKeyFailureLimiter,
  DEFAULT_API_KEY_FAILURE_LIMIT,
} from './lib/api-keys/api-key-failure-limiter';
export {
  ApiKeyUsageReporter,
  type ApiKeyUsageReporterOptions,
} from './lib/api-keys/api-key-usage.reporter';
export { API_KEY_HEADER, API_KEY_STRATEGY } from './lib/strategies/api-key.strategy';
export {
  REVOCATION_CHANNEL,
  REVOCATION_KINDS,
  parseRevocationEvent,
  parseRevocationMessage,
  validFrom,
  type RevocationEvent,
  type RevocationKind,
  type RevocationMessage,
} from './lib/revocation/revocation-event';
export { DenySet, DEFAULT_DENY_SET_MAX_ENTRIES } from './lib/revocation/deny-set';
export { RevocationFollower, FAIL_CLOSED_LAG_SECONDS } from './lib/revocation/revocation-follower';
