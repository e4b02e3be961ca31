import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { UsersModule } from '../users/users.module';
import { SessionAuthenticator } from './session.authenticator';
import { SessionEntity } from './session.entity';
import { sessionStoreProvider } from './session-store.provider';
import { SessionsService } from './sessions.service';

/**
 * Browser sessions without routes: the store, the rules (`SessionsService`) and the cookie
 * authenticator the app passes to `KeycardAuthModule` as a fallback. Kept free of the auth and
 * tokens modules so that they can import it (logout-all). Needs `Clock`, `authConfig`,
 * `REDIS_CLIENT` (global) and the TypeORM connection. Routes: `SessionRoutesModule`.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SessionEntity]), UsersModule],
  providers: [sessionStoreProvider, SessionsService, SessionAuthenticator],
  exports: [SessionsService, SessionAuthenticator],
})
export class SessionsModule {}
