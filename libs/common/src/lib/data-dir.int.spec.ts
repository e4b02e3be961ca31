import { Logger } from '@nestjs/common';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { preparePrivateSqliteFile, tightenPermissions } from './data-dir';
import { openServiceDataSource, serviceDataSourceOptions } from './migrations';

@Entity('notes')
class NoteEntity {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text')
  title!: string;
}

const FILES = ['service.sqlite', 'service.sqlite-wal', 'service.sqlite-shm'];
const modeOf = (path: string) => statSync(path).mode & 0o777;

/** Opens a SQLite DataSource as a service does, and writes a row (so the -wal and -shm files exist). */
async function openAndWrite(dataDir: string): Promise<DataSource> {
  const options = serviceDataSourceOptions({
    databaseUrl: undefined,
    dataDir,
    sqliteFile: 'service.sqlite',
    entities: [NoteEntity],
    migrations: [],
  });
  const dataSource = await openServiceDataSource(options, 1);
  await dataSource.getRepository(NoteEntity).save({ title: 'secret' });
  return dataSource;
}

describe('DATA_DIR and its SQLite files are owner only (umask 022)', () => {
  let root: string;
  let savedUmask: number;
  let dataSource: DataSource | undefined;
  let warn: jest.SpyInstance;

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'keycard-data-dir-'));
    savedUmask = process.umask(0o022);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });

  afterEach(async () => {
    await dataSource?.destroy();
    dataSource = undefined;
    process.umask(savedUmask);
    warn.mockRestore();
    rmSync(root, { recursive: true, force: true });
  });

  it('creates the folder 0700 and the database, -wal and -shm 0600, without a warning', async () => {
    const dataDir = join(root, 'nested', 'data');
    dataSource = await openAndWrite(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(FILES.map((file) => [file, modeOf(join(dataDir, file))])).toEqual(
      FILES.map((file) => [file, 0o600]),
    );
    expect(warn).not.toHaveBeenCalled();
  });

  it('tightens a 0755 folder and 0644 files made before, with a warning naming each', async () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    for (const file of FILES) writeFileSync(join(dataDir, file), '', { mode: 0o644 });
    expect(modeOf(dataDir)).toBe(0o755);

    dataSource = await openAndWrite(dataDir);
    expect(modeOf(dataDir)).toBe(0o700);
    expect(FILES.map((file) => [file, modeOf(join(dataDir, file))])).toEqual(
      FILES.map((file) => [file, 0o600]),
    );
    const warnings = warn.mock.calls.map(([message]) => String(message));
    for (const path of [dataDir, ...FILES.map((file) => join(dataDir, file))]) {
      expect(warnings).toContainEqual(expect.stringContaining(`${path} was open to other users`));
    }
    expect(warnings).toHaveLength(4);
    expect(await dataSource.getRepository(NoteEntity).count()).toBe(1);
  });

  it('keeps the owner bits, leaves private paths alone and creates nothing for a missing one', () => {
    const file = join(root, 'file');
    writeFileSync(file, '', { mode: 0o640 });
    const messages: string[] = [];
    expect(tightenPermissions(file, (message) => messages.push(message))).toBe(true);
    expect(modeOf(file)).toBe(0o600);
    chmodSync(file, 0o400);
    expect(tightenPermissions(file, (message) => messages.push(message))).toBe(true);
    expect(modeOf(file)).toBe(0o400);
    expect(tightenPermissions(join(root, 'missing'), (m) => messages.push(m))).toBe(false);
    expect(messages).toEqual([`${file} was open to other users (mode 0640): changed to 0600`]);
  });

  it('creates the database file 0600 even before SQLite opens it', () => {
    const path = preparePrivateSqliteFile(join(root, 'data'), 'service.sqlite', () => undefined);
    expect(modeOf(path)).toBe(0o600);
    expect(statSync(path).size).toBe(0);
  });
});
