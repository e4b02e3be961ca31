import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource, MigrationInterface, QueryRunner } from 'typeorm';
import type { ThrowawayPostgres } from '@keycard/testing';
import { missingFaultTools, startThrowawayPostgres } from '@keycard/testing';
import { isDependencyFailure } from './dependency-failure';
import { openServiceDataSource, serviceDataSourceOptions } from './migrations';

const missing = missingFaultTools(['postgres']);

/** A migration slower than the query timeout: migrations must not be bounded by it. */
class SlowMigration1000000000001 implements MigrationInterface {
  name = 'SlowMigration1000000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('SELECT pg_sleep(1.2)');
    await queryRunner.query('CREATE TABLE "slow_marker" ("id" integer PRIMARY KEY)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "slow_marker"');
  }
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (error: unknown) => error,
  );
}

// Fault tier (issue 14, finding 15): every query of a service's PostgreSQL DataSource is bounded
// by DATABASE_TIMEOUT (here 500 ms), against a PostgreSQL of the test's own.
(missing ? describe.skip : describe)(
  `service DataSource against a slow or frozen PostgreSQL${missing ? ` (${missing})` : ''}`,
  () => {
    let pg: ThrowawayPostgres;
    let dataSource: DataSource;

    beforeAll(async () => {
      pg = await startThrowawayPostgres();
      const options = serviceDataSourceOptions({
        databaseUrl: pg.url,
        dataDir: mkdtempSync(join(tmpdir(), 'keycard-db-fault-')),
        sqliteFile: 'unused.sqlite',
        entities: [],
        migrations: [SlowMigration1000000000001],
        queryTimeoutMs: 500,
      });
      dataSource = await openServiceDataSource(options, 7_301_999);
    });
    afterAll(async () => {
      pg?.thaw();
      if (dataSource?.isInitialized) await dataSource.destroy();
      await pg?.destroy();
    });

    it('runs migrations without the query timeout', async () => {
      expect(await dataSource.query('SELECT count(*)::int AS n FROM "slow_marker"')).toEqual([
        { n: 0 },
      ]);
    });

    it('a slow query is cancelled by the server after the timeout: a dependency failure', async () => {
      const started = Date.now();
      const error = await failureOf(dataSource.query('SELECT pg_sleep(5)'));
      expect(Date.now() - started).toBeLessThan(2000);
      expect(error).toMatchObject({ driverError: { code: '57014' } });
      expect(isDependencyFailure(error)).toBe(true);
      expect(await dataSource.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    });

    it('a frozen server: the query fails within the timeout (plus a second) instead of hanging', async () => {
      pg.freeze();
      const started = Date.now();
      const error = await failureOf(dataSource.query('SELECT 1 AS one'));
      const elapsed = Date.now() - started;
      pg.thaw();
      expect(elapsed).toBeLessThan(3000);
      expect(isDependencyFailure(error)).toBe(true);
    });
  },
);
