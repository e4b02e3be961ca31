import { Global, Module } from '@nestjs/common';
import { RevocationEvents } from './revocation-events.service';
import { RevocationFeed } from './revocation-feed';
import { RevocationStream } from './revocation-stream';

/**
 * The revocation log and its delivery (`revocation-events.service.ts`, `revocation-feed.ts`). Global: every module that revokes
 * something injects `RevocationEvents` without importing this module. Its HTTP face for
 * verifiers, `/revocations`, is `OAuthModule`'s (verifiers call it as registered clients).
 */
@Global()
@Module({
  providers: [RevocationEvents, RevocationFeed, RevocationStream],
  exports: [RevocationEvents, RevocationFeed, RevocationStream],
})
export class RevocationModule {}
