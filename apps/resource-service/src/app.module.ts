import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { KeycardAuthModule, serviceAuthOptions } from '@keycard/auth';
import { RateLimitModule, RateLimitStore } from '@keycard/common';
import { KeycardMetrics, ServiceHealthModule } from '@keycard/observability';
import { AdminModule } from './admin/admin.module';
import { resourceConfig, ResourceSettings } from './config/resource.config';
import { DatabaseModule } from './database/database.module';
import { DocumentsModule } from './documents/documents.module';
import { MeModule } from './me/me.module';
import {
  DependencyHealthModule,
  observeRateLimitFallback,
} from './observability/dependency-health';
import { ResourceObservabilityModule } from './observability/resource-observability';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [resourceConfig] }),
    RateLimitModule.forRootAsync({
      inject: [resourceConfig.KEY],
      useFactory: (config: ResourceSettings) => config,
    }),
    ResourceObservabilityModule,
    KeycardAuthModule.forRootAsync({
      inject: [resourceConfig.KEY, RateLimitStore, KeycardMetrics],
      useFactory: (config: ResourceSettings, store: RateLimitStore, metrics: KeycardMetrics) =>
        serviceAuthOptions(config, {
          metrics,
          rateLimitStore: observeRateLimitFallback(store, metrics.registry),
          redisUrl: config.redisUrl,
        }),
    }),
    DatabaseModule,
    ServiceHealthModule,
    DependencyHealthModule,
    MeModule,
    DocumentsModule,
    AdminModule,
  ],
})
export class AppModule {}
