import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { TokensModule } from '../tokens/tokens.module';
import { AdminSessionsController } from './admin-sessions.controller';
import { SessionLoginController } from './session-login.controller';
import { SessionsController } from './sessions.controller';
import { SessionsModule } from './sessions.module';

/** The session routes: `/session/login|logout|token`, `/session`, `/sessions`, `/sessions/:id`,
 * and `/admin/users/:userId/sessions`. */
@Module({
  imports: [SessionsModule, AuthModule, TokensModule],
  controllers: [SessionLoginController, SessionsController, AdminSessionsController],
})
export class SessionRoutesModule {}
