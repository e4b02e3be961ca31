import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { SessionsModule } from '../sessions/sessions.module';
import { RefreshFamilyEntity } from '../tokens/refresh-family.entity';
import { UserEntity } from '../users/user.entity';
import { LivePrincipals } from './live-principals.service';

/**
 * `LivePrincipals`, which the app hands to `KeycardAuthModule` as `refreshPrincipal`. Reads the
 * users, refresh families, sessions and clients, and changes none of them.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([UserEntity, RefreshFamilyEntity]),
    SessionsModule,
    ClientsModule,
  ],
  providers: [LivePrincipals],
  exports: [LivePrincipals],
})
export class PrincipalsModule {}
