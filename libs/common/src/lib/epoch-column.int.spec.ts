import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, Entity, LessThanOrEqual, PrimaryColumn } from 'typeorm';
import type { TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase, testPostgresUrl } from '@keycard/testing';
import { EpochColumn } from './epoch-column';
import { openServiceDataSource, serviceDataSourceOptions } from './migrations';

@Entity('moments')
class MomentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @EpochColumn({ name: 'at' })
  at!: number;

  @EpochColumn({ name: 'ended_at', nullable: true })
  endedAt!: number | null;
}

interface Opened {
  dataSource: DataSource;
  close(): Promise<void>;
}

/** The service's own SQLite file (`serviceDataSourceOptions`), or a fresh PostgreSQL database. */
async function open(postgresUrl: string | undefined): Promise<Opened> {
  if (postgresUrl) {
    const database: TestDatabase = await createTestPostgresDatabase(postgresUrl, 'epoch');
    const dataSource = await new DataSource({
      type: 'postgres',
      url: database.url,
      entities: [MomentEntity],
      synchronize: true, // a table of this spec only; the services' tables come from migrations
    }).initialize();
    return { dataSource, close: () => dataSource.destroy().then(() => database.drop()) };
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-epoch-'));
  const options = serviceDataSourceOptions({
    databaseUrl: undefined,
    dataDir,
    sqliteFile: 'service.sqlite',
    entities: [MomentEntity],
    migrations: [],
  });
  const dataSource = await openServiceDataSource(options, 1);
  return {
    dataSource,
    close: async () => {
      await dataSource.destroy();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const postgresUrl = testPostgresUrl();
const backends: [string, string | undefined][] = [['SQLite', undefined]];
if (postgresUrl) backends.push(['PostgreSQL', postgresUrl]);

describe.each(backends)('EpochColumn on %s', (_name, url) => {
  let opened: Opened;

  beforeAll(async () => {
    opened = await open(url);
  });
  afterAll(() => opened?.close());

  const moments = () => opened.dataSource.getRepository(MomentEntity);

  it('binds times as parameters, so that a statement is the same SQL whatever the time', () => {
    const insert = (at: number) =>
      moments().createQueryBuilder().insert().values({ id: 'a', at, endedAt: null });
    const update = (endedAt: number) =>
      moments().createQueryBuilder().update().set({ endedAt }).where('id = :id', { id: 'a' });
    const [first, firstParameters] = insert(1_234_567).getQueryAndParameters();
    expect(insert(7_654_321).getQueryAndParameters()[0]).toBe(first);
    expect(first).not.toContain('1234567');
    expect(firstParameters).toContainEqual(1_234_567n);
    expect(update(1_234_567).getQueryAndParameters()[0]).toBe(
      update(7_654_321).getQueryAndParameters()[0],
    );
  });

  it('reads back as numbers what it wrote, and finds rows by time', async () => {
    const at = Date.UTC(2026, 11, 5, 12);
    await moments().insert({ id: 'b', at, endedAt: null });
    await moments().update({ id: 'b' }, { endedAt: at + 1 });
    expect(await moments().findOneBy({ id: 'b' })).toEqual({ id: 'b', at, endedAt: at + 1 });
    expect(await moments().countBy({ at })).toBe(1);
    expect(await moments().countBy({ at: LessThanOrEqual(at - 1) })).toBe(0);
    expect(await moments().countBy({ endedAt: LessThanOrEqual(at + 1) })).toBe(1);
  });
});
