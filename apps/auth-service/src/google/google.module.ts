import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { MfaModule } from '../mfa/mfa.module';
import { SessionsModule } from '../sessions/sessions.module';
import { ThrottleModule } from '../throttle/throttle.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { GoogleAccountsService } from './google-accounts.service';
import { GoogleController } from './google.controller';
import { GoogleGrantEntity } from './google-grant.entity';
import { GoogleGrantsStore } from './google-grants.store';
import { GoogleLinkService } from './google-link.service';
import { GoogleSignInService } from './google-sign-in.service';
import { googleStrategyProvider } from './google.strategy';
import { UserIdentityEntity } from './user-identity.entity';

/**
 * "Sign in with Google" (see README.md). The routes always exist and answer 404 until
 * `GOOGLE_CLIENT_ID` is set; the passport strategy is only created (and registered) then.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserIdentityEntity, GoogleGrantEntity]),
    UsersModule,
    AuthModule,
    MfaModule,
    TokensModule,
    SessionsModule,
    ThrottleModule,
  ],
  controllers: [GoogleController],
  providers: [
    googleStrategyProvider,
    GoogleGrantsStore,
    GoogleAccountsService,
    GoogleLinkService,
    GoogleSignInService,
  ],
  exports: [GoogleAccountsService],
})
export class GoogleModule {}
