import { DynamicModule, Module, ModuleMetadata } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { TokensModule } from '../tokens/tokens.module';
import { IntrospectionService } from './introspection.service';
import { OAuthClientAuthenticator } from './oauth-client-authenticator';
import { OAuthTokenService } from './oauth-token.service';
import { OAuthController } from './oauth.controller';
import { RevocationClientGuard } from './revocation-client.guard';
import { RevocationService } from './revocation.service';
import { RevocationsController } from './revocations.controller';

export interface OAuthModuleOptions {
  /** Modules exporting `API_KEY_INTROSPECTOR` / `API_KEY_REVOKER` (required, see `api-key-hooks.ts`). */
  imports?: ModuleMetadata['imports'];
}

/**
 * `/oauth/token`, `/oauth/introspect` and `/oauth/revoke`, and `/revocations` (the revocation log
 * for verifiers, who call it as registered clients). Needs the global `Clock`, `authConfig`,
 * `RevocationModule` and `KeycardAuthModule` (for `AccessTokenVerifier`). Import it as
 * `OAuthModule.register({ imports: [ApiKeysModule] })`: the API key hooks are required (see
 * `api-key-hooks.ts`); the OpenID provider's code grant is optional (see `grant-hooks.ts`).
 */
@Module({
  imports: [ClientsModule, TokensModule],
  controllers: [OAuthController, RevocationsController],
  providers: [
    OAuthClientAuthenticator,
    OAuthTokenService,
    IntrospectionService,
    RevocationService,
    RevocationClientGuard,
  ],
})
export class OAuthModule {
  static register(options: OAuthModuleOptions = {}): DynamicModule {
    return { module: OAuthModule, imports: options.imports ?? [] };
  }
}
