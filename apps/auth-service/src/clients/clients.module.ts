import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminClientsController } from './admin-clients.controller';
import { ClientsService } from './clients.service';
import { OAuthClientEntity } from './oauth-client.entity';

/**
 * Registered service clients and `/admin/clients`; registers `BOOTSTRAP_CLIENTS` on start.
 * Needs the global `Clock` and `authConfig` providers and the TypeORM connection.
 */
@Module({
  imports: [TypeOrmModule.forFeature([OAuthClientEntity])],
  controllers: [AdminClientsController],
  providers: [ClientsService],
  exports: [ClientsService],
})
export class ClientsModule {}
