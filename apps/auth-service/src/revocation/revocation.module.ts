import { Global, Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module';
import { RevocationClientGuard } from './revocation-client.guard';
import { RevocationEvents } from './revocation-events.service';
import { RevocationFeed } from './revocation-feed';
import { RevocationStream } from './revocation-stream';
import { RevocationsController } from './revocations.controller';

/**
 * The revocation log and its delivery (see `README.md`). Global: every module that revokes
 * something injects `RevocationEvents` without importing this module.
 */
@Global()
@Module({
  imports: [ClientsModule],
  controllers: [RevocationsController],
  providers: [RevocationEvents, RevocationFeed, RevocationStream, RevocationClientGuard],
  exports: [RevocationEvents],
})
export class RevocationModule {}
