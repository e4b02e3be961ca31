import { Module } from '@nestjs/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { MfaModule } from '../mfa/mfa.module';
import { ClientsModule } from '../clients/clients.module';
import { KeysModule } from '../keys/keys.module';
import { SessionsModule } from '../sessions/sessions.module';
import { UsersModule } from '../users/users.module';
import { AdminOverviewController } from './admin-overview.controller';
import { AdminOverviewService } from './admin-overview.service';
import { ConsoleMfaController } from './console-mfa.controller';
import { AdminPageGuard } from './admin-page.guard';
import { ConsoleAuditController } from './console-audit.controller';
import { ConsoleClientsController } from './console-clients.controller';
import { ConsoleKeysController } from './console-keys.controller';
import { ConsoleOverviewController } from './console-overview.controller';
import { ConsoleUsersController } from './console-users.controller';
import { MetricsWindow } from './metrics-window';

/**
 * The admin console: `/admin` and `/admin/console/…`, server-rendered with the pages' view kit
 * (session cookie, CSRF, strict CSP), and `GET /admin/overview`. Thin controllers over the services
 * that own each thing; it does nothing the `/admin/*` API cannot. `AuditQueryService` comes from
 * the global `AuditModule`.
 */
@Module({
  imports: [UsersModule, SessionsModule, ApiKeysModule, ClientsModule, KeysModule, MfaModule],
  controllers: [
    ConsoleOverviewController,
    ConsoleUsersController,
    ConsoleMfaController,
    ConsoleClientsController,
    ConsoleKeysController,
    ConsoleAuditController,
    AdminOverviewController,
  ],
  providers: [AdminPageGuard, MetricsWindow, AdminOverviewService],
})
export class AdminConsoleModule {}
