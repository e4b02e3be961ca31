import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { KeysModule } from '../keys/keys.module';
import { RevocationModule } from '../revocation/revocation.module';
import { UsersModule } from '../users/users.module';
import { foundationModules } from './foundation-modules';

/**
 * The root module of a command-line command (`main.js create-client …`, `rotate-keys`,
 * `list-keys`, `promote-admin`; `../cli/cli.ts`): what those commands use — clients, keys, users —
 * on the server's foundation (`foundationModules`: settings, database, audit trail, metrics), with
 * the revocation log they write to, and none of the routes, pages or background workers.
 */
@Module({
  imports: [...foundationModules(), RevocationModule, KeysModule, ClientsModule, UsersModule],
})
export class CliModule {}
