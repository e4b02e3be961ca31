import type { DynamicModule, Provider } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { Clock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { AuditEventEntity } from '../audit/audit-event.entity';
import type { AuditRecord } from '../audit/audit-events';
import { AuditEventWriter } from '../audit/audit-event.writer';
import { AuditService } from '../audit/audit.service';
import type { AuthSettings } from '../config/auth.config';
import { authConfig } from '../config/auth.config';
import { AuditEvents1764300000800 } from '../database/migrations/1764300000800-audit-events';
import { RevocationEvents1764300003000 } from '../database/migrations/1764300003000-revocation-events';
import { AuditTypeTime1764300007000 } from '../database/migrations/1764300007000-audit-type-time';
import { RevocationEventEntity } from '../revocation/revocation-event.entity';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { RevocationFeed } from '../revocation/revocation-feed';

/*
 * Test-only: the recorders every auth-service feature requires — the audit trail, the metrics and
 * the revocation log — as the real classes, for specs that do not boot AppModule. Not imported by
 * the app. Their tables must be in the test's database: add `RECORDER_ENTITIES` to its entities
 * (PostgreSQL gets them from the migrations).
 */

/** The settings the recorders read, as the defaults have them. */
const RECORDER_SETTINGS: Pick<AuthSettings, 'issuer' | 'accessTokenTtl'> = {
  issuer: 'http://localhost:3000',
  accessTokenTtl: 900,
};

/** The tables the recorders write. */
export const RECORDER_ENTITIES = [AuditEventEntity, RevocationEventEntity];

/** Their PostgreSQL migrations, for a spec that runs only its own feature's. */
export const RECORDER_MIGRATIONS = [
  AuditEvents1764300000800,
  RevocationEvents1764300003000,
  AuditTypeTime1764300007000,
];

/** The real metrics, on a registry of their own (nothing shared between specs). */
export function testMetrics(): KeycardMetrics {
  return new KeycardMetrics(new Registry());
}

/**
 * For unit specs with no database: an `AuditService` that keeps the events it is given in
 * `recorded` (in order) instead of writing rows. Specs with a database use the real one.
 */
export function recordingAudit(): { audit: AuditService; recorded: AuditRecord[] } {
  const recorded: AuditRecord[] = [];
  const audit: Pick<AuditService, 'record' | 'flush'> = {
    record: (event) => {
      recorded.push(event);
      return Promise.resolve();
    },
    flush: () => Promise.resolve(),
  };
  return { audit: audit as AuditService, recorded };
}

/** The settings the recorders read: the spec's own where it sets them, else the defaults. */
function recorderSettings(
  config: Partial<AuthSettings>,
): Pick<AuthSettings, 'issuer' | 'accessTokenTtl'> {
  return {
    issuer: config.issuer ?? RECORDER_SETTINGS.issuer,
    accessTokenTtl: config.accessTokenTtl ?? RECORDER_SETTINGS.accessTokenTtl,
  };
}

/**
 * The real `AuditService`, `KeycardMetrics` (on a registry of its own) and `RevocationEvents`
 * (with its feed, without Redis), global, for module-level specs. Needs `TestGlobalsModule`
 * (settings, which may be partial, and clock) and the spec's `TypeOrmModule.forRoot` with
 * `RECORDER_ENTITIES`. `revocations: false` leaves the log out, for a spec that imports the real
 * `RevocationModule`.
 */
@Module({})
export class TestRecordersModule {
  static forRoot(options: { revocations?: boolean } = {}): DynamicModule {
    const log: Provider[] = [
      {
        provide: RevocationFeed,
        inject: [DataSource, Clock, authConfig.KEY],
        useFactory: (dataSource: DataSource, clock: Clock, config: Partial<AuthSettings>) =>
          new RevocationFeed(dataSource, null, clock, recorderSettings(config)),
      },
      {
        provide: RevocationEvents,
        inject: [DataSource, Clock, authConfig.KEY, RevocationFeed],
        useFactory: (
          dataSource: DataSource,
          clock: Clock,
          config: Partial<AuthSettings>,
          feed: RevocationFeed,
        ) => new RevocationEvents(dataSource, recorderSettings(config), clock, feed),
      },
    ];
    const withLog = options.revocations !== false;
    return {
      module: TestRecordersModule,
      global: true,
      imports: [TypeOrmModule.forFeature([AuditEventEntity])],
      providers: [
        AuditService,
        AuditEventWriter,
        { provide: KeycardMetrics, useFactory: testMetrics },
        ...(withLog ? log : []),
      ],
      exports: [AuditService, KeycardMetrics, ...(withLog ? [RevocationEvents] : [])],
    };
  }
}

export interface Recorders {
  audit: AuditService;
  metrics: KeycardMetrics;
  revocations: RevocationEvents;
  feed: RevocationFeed;
}

/**
 * The same recorders for a spec that builds its services with `new`, on `dataSource` (which must
 * hold `RECORDER_ENTITIES`). The feed is not started: call `feed.onApplicationBootstrap()` (and
 * `onApplicationShutdown()`) when the spec follows the log.
 */
export function testRecorders(
  dataSource: DataSource,
  clock: Clock,
  config: Pick<AuthSettings, 'issuer' | 'accessTokenTtl'> = RECORDER_SETTINGS,
): Recorders {
  const feed = new RevocationFeed(dataSource, null, clock, config);
  return {
    audit: new AuditService(
      dataSource.getRepository(AuditEventEntity),
      new AuditEventWriter(dataSource.getRepository(AuditEventEntity)),
      clock,
    ),
    metrics: testMetrics(),
    revocations: new RevocationEvents(dataSource, config, clock, feed),
    feed,
  };
}
