// What services use. Types a service writes against when it configures the module (a custom
// `KeyResolver`, `ApiKeyVerifier`, `CredentialAuthenticator` or `refreshPrincipal`) are exported
// with the options that name them; the guard, caches, verifiers and limiters stay inside.
export type { AuthenticatedRequest, AuthType, Principal } from './lib/principal';
export {
  KEYCARD_KEY_RESOLVER,
  type ApiKeyOptions,
  type ApiKeyVerifier,
  type CredentialAuthenticator,
  type KeycardAuthOptions,
  type KeyResolver,
  type PrincipalRefresher,
  RATE_LIMIT_HEADER_POLICIES,
  type RateLimitHeaderPolicy,
} from './lib/options';
export { RemoteJwksKeyResolver } from './lib/remote-jwks.key-resolver';
export {
  loadServiceAuthSettings,
  serviceAuthOptions,
  type ServiceAuthSettings,
} from './lib/service/service-auth';
export { KeycardAuthModule, type KeycardAuthModuleAsyncOptions } from './lib/keycard-auth.module';
export { Public, Roles, Scopes, CurrentPrincipal, IS_PUBLIC_KEY } from './lib/decorators';
export { RequireAuth } from './lib/step-up/require-auth.decorator';
export {
  insufficientUserAuthentication,
  unmetStepUp,
  type StepUpRequirement,
} from './lib/step-up/step-up';
export { AccessTokenVerifier } from './lib/access-token.verifier';
export { envApiKeyEnvironments } from './lib/api-keys/api-key-environments';
export { DEFAULT_API_KEY_FAILURE_LIMIT } from './lib/api-keys/api-key-failure-limiter';
export {
  REVOCATION_CHANNEL,
  revocationChannel,
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
// The one bounded-cache shape of the workspace, for services' own caches too.
export { BoundedCache } from './lib/bounded-cache';
