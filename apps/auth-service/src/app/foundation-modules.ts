import type { DynamicModule, Type } from '@nestjs/common';
import { AuditModule } from '../audit/audit.module';
import { DatabaseModule } from '../database/database.module';
import { AuthObservabilityModule } from '../observability/auth-observability';
import { RedisModule } from '../redis/redis.module';
import { ClockModule } from './clock.module';
import { SettingsModule } from './settings.module';

/**
 * What both root modules (`AppModule`, the server; `CliModule`, a command) start from: the
 * validated settings, the clock, the database (migrated as at start-up), the audit trail, Redis
 * when `REDIS_URL` is set, and the metrics and logs.
 */
export function foundationModules(): (Type | DynamicModule)[] {
  return [
    SettingsModule.forRoot(),
    ClockModule,
    DatabaseModule,
    AuditModule,
    RedisModule,
    AuthObservabilityModule,
  ];
}
