import { Module, NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { KeysModule } from '../keys/keys.module';
import { AUTHORIZATION_CODE_GRANT } from '../oauth/grant-hooks';
import { OAuthClientAuthenticator } from '../oauth/oauth-client-authenticator';
import { SessionsModule } from '../sessions/sessions.module';
import { TokensModule } from '../tokens/tokens.module';
import { SessionPageGuard } from '../sessions/session-page.guard';
import { UsersModule } from '../users/users.module';
import { AppCorsOrigins } from './app-cors';
import { AppLoginsService } from './app-logins.service';
import { AuthorizationCodesService } from './authorization-codes.service';
import { AuthorizeController } from './authorize.controller';
import { AuthorizeService } from './authorize.service';
import { BackchannelLogoutService } from './backchannel-logout.service';
import { CodeGrantService } from './code-grant.service';
import { ConnectedAppsController } from './connected-apps.controller';
import { ConsentsService } from './consents.service';
import { IdTokenService } from './id-token.service';
import { LogoutController } from './logout.controller';
import { LogoutService } from './logout.service';
import { OIDC_ENTITIES } from './oidc-records.entity';
import { WebModule } from '../web/web.module';
import { AuthorizeFormTarget } from './authorize-form-target';
import { PendingRequestsService } from './pending-requests.service';
import { UserInfoController } from './userinfo.controller';

/**
 * The OpenID Provider for apps (API.md section 5) on Keycard's own core: the signing keys,
 * refresh-token families, browser sessions and sign-in form. Give it to
 * `OAuthModule.register({ imports })` so `/oauth/token` takes `grant_type=authorization_code`.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature(OIDC_ENTITIES),
    ClientsModule,
    KeysModule,
    SessionsModule,
    TokensModule,
    UsersModule,
    WebModule,
  ],
  controllers: [AuthorizeController, UserInfoController, LogoutController, ConnectedAppsController],
  providers: [
    OAuthClientAuthenticator,
    AuthorizationCodesService,
    AuthorizeService,
    CodeGrantService,
    { provide: AUTHORIZATION_CODE_GRANT, useExisting: CodeGrantService },
    ConsentsService,
    IdTokenService,
    AppLoginsService,
    PendingRequestsService,
    AuthorizeFormTarget,
    AppCorsOrigins,
    BackchannelLogoutService,
    LogoutService,
    SessionPageGuard,
  ],
  exports: [AUTHORIZATION_CODE_GRANT, ConsentsService, AppLoginsService, IdTokenService],
})
export class OidcModule implements NestModule {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly cors: AppCorsOrigins,
  ) {}

  /** Before Nest registers its routes: the CORS hook must also answer preflights of no route. */
  configure(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() === 'fastify') this.cors.install(adapter.getInstance());
  }
}
