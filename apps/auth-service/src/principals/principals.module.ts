import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { LivePrincipals } from './live-principals.service';

/**
 * `LivePrincipals`, which the app hands to `KeycardAuthModule` as `refreshPrincipal`. Reads the
 * users, refresh families, sessions and clients, and changes none of them.
 */
@Module({
  imports: [SessionsModule, ClientsModule],
  providers: [LivePrincipals],
  exports: [LivePrincipals],
})
export class PrincipalsModule {}
