import { Module } from '@nestjs/common';
import { KeycardAuthModule, Principal } from '@keycard/auth';
import { AccountModule } from '../account/account.module';
import { AccountPagesModule } from '../account/account-pages.module';
import { ServiceHealthModule } from '@keycard/observability';
import { AdminConsoleModule } from '../admin-console/admin-console.module';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { AuthModule } from '../auth/auth.module';
import { ClientsModule } from '../clients/clients.module';
import { authConfig, AuthSettings } from '../config/auth.config';
import { GoogleModule } from '../google/google.module';
import { KeysModule } from '../keys/keys.module';
import { KeysService } from '../keys/keys.service';
import { MFA_SETTINGS, MfaSettings } from '../mfa/mfa-settings';
import { OAuthModule } from '../oauth/oauth.module';
import { OidcModule } from '../oidc/oidc.module';
import { PagesModule } from '../pages/pages.module';
import { LivePrincipals } from '../principals/live-principals.service';
import { PrincipalsModule } from '../principals/principals.module';
import { RetentionModule } from '../retention/retention.module';
import { RevocationModule } from '../revocation/revocation.module';
import { SessionAuthenticator } from '../sessions/session.authenticator';
import { SessionsModule } from '../sessions/sessions.module';
import { SignupModule } from '../signup/signup.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { WebModule } from '../web/web.module';
import { foundationModules } from './foundation-modules';

@Module({
  imports: [
    ...foundationModules(),
    ServiceHealthModule,
    KeysModule,
    // The auth-service verifies its own tokens against its key table, not over HTTP. No
    // verified-token cache here: an emergency key revocation must stop tokens at once.
    KeycardAuthModule.forRootAsync({
      imports: [KeysModule, SessionsModule, PrincipalsModule],
      inject: [authConfig.KEY, MFA_SETTINGS, KeysService, SessionAuthenticator, LivePrincipals],
      useFactory: (
        config: AuthSettings,
        mfa: MfaSettings,
        keys: KeysService,
        sessions: SessionAuthenticator,
        principals: LivePrincipals,
      ) => ({
        issuer: config.issuer,
        audience: config.audience,
        tokenCacheMaxEntries: 0,
        keyResolver: {
          getKey: (kid: string) => keys.getVerificationKey(kid),
          onKeysRemoved: (listener: (kids: string[]) => void) => keys.onKeysRemoved(listener),
        },
        // The browser session cookie, tried when no bearer token and no API key is sent.
        fallbackAuthenticators: [sessions],
        // Its own routes never trust a token's roles: the user, roles and login are read per request.
        refreshPrincipal: (principal: Principal) => principals.refresh(principal),
        // MFA_REQUIRED_ROLES: routes of these roles need a sign-in with a second factor.
        mfaRequiredRoles: mfa.requiredRoles,
      }),
    }),
    UsersModule,
    TokensModule,
    AuthModule,
    ClientsModule,
    ApiKeysModule,
    OAuthModule.register({ imports: [ApiKeysModule, OidcModule] }),
    SessionsModule,
    WebModule,
    PagesModule,
    AdminConsoleModule,
    SignupModule,
    GoogleModule,
    AccountModule,
    AccountPagesModule,
    RetentionModule,
    RevocationModule,
  ],
})
export class AppModule {}
