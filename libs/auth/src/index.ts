export type { AuthType, Principal } from './lib/principal';
export {
  KEYCARD_AUTH_OPTIONS,
  KEYCARD_KEY_RESOLVER,
  type ApiKeyVerifier,
  type CredentialAuthenticator,
  type KeycardAuthOptions,
  type KeyResolver,
  type ResolvedKeycardAuthOptions,
} from './lib/options';
export {
  RemoteJwksKeyResolver,
  type RemoteJwksKeyResolverOptions,
} from './lib/remote-jwks.key-resolver';
export { KeycardAuthModule, type KeycardAuthModuleAsyncOptions } from './lib/keycard-auth.module';
export { KeycardAuthGuard } from './lib/keycard-auth.guard';
export { Public, Roles, Scopes, CurrentPrincipal } from './lib/decorators';
export { AccessTokenVerifier } from './lib/access-token.verifier';
export { VerifiedTokenCache } from './lib/verified-token.cache';
