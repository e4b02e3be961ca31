import { DynamicModule, Global, Module, NestModule } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import type { FastifyInstance } from 'fastify';
import { LoggerModule } from 'nestjs-pino';
import { Registry } from 'prom-client';
import { ObservabilityHealthController } from './health/health.controller';
import { ReadinessService } from './health/readiness';
import { useRequestIdOnFastify } from './logging/fastify-request-id';
import { loggerParams } from './logging/logger-params';
import { instrumentHttpServer } from './metrics/http-metrics';
import { createMetricsRegistry, KeycardMetrics } from './metrics/keycard-metrics';
import { MetricsController } from './metrics/metrics.controller';
import {
  OBSERVABILITY_OPTIONS,
  type ObservabilityAsyncOptions,
  type ObservabilityOptions,
} from './options';

/** Holds the resolved options, shared by this module and the logger module it configures. */
@Module({})
class ObservabilityOptionsModule {}

/**
 * Health probes, Prometheus metrics and structured logs for a Keycard service, on Express or
 * Fastify: `GET /health/live`, `GET /health/ready`, `GET /metrics` (all `@Public()`), JSON
 * request logs with a request id and redaction, and the injectable `KeycardMetrics`.
 * Global: import it once in the root module. Needs the app's `TypeOrmModule` for readiness.
 */
@Global()
@Module({})
export class ObservabilityModule implements NestModule {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly metrics: KeycardMetrics,
  ) {}

  static forRoot(options: ObservabilityOptions): DynamicModule {
    return ObservabilityModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: ObservabilityAsyncOptions): DynamicModule {
    const optionsModule: DynamicModule = {
      module: ObservabilityOptionsModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: OBSERVABILITY_OPTIONS,
          inject: options.inject ?? [],
          useFactory: options.useFactory,
        },
      ],
      exports: [OBSERVABILITY_OPTIONS],
    };
    return {
      module: ObservabilityModule,
      imports: [
        optionsModule,
        TerminusModule.forRoot({ logger: false }),
        LoggerModule.forRootAsync({
          imports: [optionsModule],
          inject: [OBSERVABILITY_OPTIONS],
          useFactory: (resolved: ObservabilityOptions) => loggerParams(resolved),
        }),
      ],
      controllers: [ObservabilityHealthController, MetricsController],
      providers: [
        { provide: Registry, inject: [OBSERVABILITY_OPTIONS], useFactory: createMetricsRegistry },
        KeycardMetrics,
        ReadinessService,
      ],
      exports: [KeycardMetrics, ReadinessService, optionsModule],
    };
  }

  /**
   * Called once per app before Nest registers its routes, which is when the request metrics (and
   * on Fastify the request id) must hook into the HTTP server. Not called for a plain application context (CLI commands).
   */
  configure(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (!adapter) return;
    if (adapter.getType() === 'fastify')
      useRequestIdOnFastify(adapter.getInstance<FastifyInstance>());
    instrumentHttpServer(adapter, this.metrics);
  }
}
