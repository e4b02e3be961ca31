import { Module } from '@nestjs/common';
import { RetentionScheduler } from './retention.scheduler';
import { RetentionService } from './retention.service';

/**
 * Deletes refresh tokens, sessions, Google sign-in records and audit events that no request can
 * use any more (`retention-rules.ts`), on a schedule. Expects, app-wide: the typed `authConfig`,
 * `Clock` and the TypeORM connection.
 */
@Module({ providers: [RetentionService, RetentionScheduler], exports: [RetentionService] })
export class RetentionModule {}
