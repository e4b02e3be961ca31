import { Global, Module, NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminAuditController } from './admin-audit.controller';
import { installAuditContext } from './audit-context';
import { AuditEventEntity } from './audit-event.entity';
import { AuditEventWriter } from './audit-event.writer';
import { AuditQueryService } from './audit-query.service';
import { AuditService } from './audit.service';

/**
 * The audit trail. Global, so that every module can record events without importing it. The
 * recorders require `AuditService`: a module wired without the trail fails to build instead of
 * dropping its events (module-level tests import `TestRecordersModule` from `../testing/`).
 */
@Global()
@Module({
  imports: [TypeOrmModule.forFeature([AuditEventEntity])],
  controllers: [AdminAuditController],
  providers: [AuditService, AuditEventWriter, AuditQueryService],
  exports: [AuditService, AuditQueryService],
})
export class AuditModule implements NestModule {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  /**
   * Runs before Nest registers its routes, so the request context covers every one of them. On any
   * other platform start-up fails: audit events would silently lose their IP, agent and actor.
   */
  configure(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    if (adapter.getType() !== 'fastify')
      throw new Error(`the auth-service runs on Fastify, not ${adapter.getType()}`);
    installAuditContext(adapter.getInstance());
  }
}
