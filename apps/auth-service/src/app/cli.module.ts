import { Module } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { ClientsModule } from '../clients/clients.module';
import { DatabaseModule } from '../database/database.module';
import { KeysModule } from '../keys/keys.module';
import { AuthObservabilityModule } from '../observability/auth-observability';
import { RedisModule } from '../redis/redis.module';
import { RevocationModule } from '../revocation/revocation.module';
import { UsersModule } from '../users/users.module';
import { ClockModule } from './clock.module';
import { SettingsModule } from './settings.module';

/**
 * The root module of a command-line command (`main.js create-client …`, `rotate-keys`,
 * `list-keys`, `promote-admin`; `../cli/cli.ts`): what those commands use — clients, keys, users —
 * with the settings, the database (migrated as at start-up), the audit trail, the metrics and the
 * revocation log they write to, and none of the routes, pages or background workers of the server.
 */
@Module({
  imports: [
    SettingsModule.forRoot(),
    ClockModule,
    DatabaseModule,
    AuditModule,
    RedisModule,
    AuthObservabilityModule,
    RevocationModule,
    KeysModule,
    ClientsModule,
    UsersModule,
  ],
})
export class CliModule {}
