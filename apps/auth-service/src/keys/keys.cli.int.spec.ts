import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { runKeysCommand } from './keys.cli';
import type { KeysInstance } from './keys.test-kit';
import { keysInstance, openSqliteMemory, statuses } from './keys.test-kit';
import { KeysService } from './keys.service';

function output() {
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: { write: (text: string) => out.push(text) > 0 },
    err: { write: (text: string) => err.push(text) > 0 },
  };
  return { io, out, err };
}

// Key generation and scrypt are CPU-bound: leave room for a busy machine.
jest.setTimeout(60_000);

describe('runKeysCommand', () => {
  let dataSource: DataSource;
  let instance: KeysInstance;
  let app: INestApplicationContext;

  beforeEach(async () => {
    dataSource = await openSqliteMemory();
    instance = await keysInstance(dataSource);
    const get = (token: unknown) => {
      if (token !== KeysService) throw new Error('unexpected token');
      return instance.keys;
    };
    app = { get } as unknown as INestApplicationContext;
  });
  afterEach(() => dataSource.destroy());

  it('refuses an early rotation with exit code 1 and says how long to wait', async () => {
    const { io, out, err } = output();
    expect(await runKeysCommand(app, ['rotate-keys'], io)).toBe(1);
    expect(err.join('')).toMatch(/^rotate-keys failed: .*try again in 300 s/);
    expect(out).toEqual([]);
    expect(await statuses(dataSource)).toEqual(['active', 'next']);
  });

  it('rotates with --force and prints the kids only', async () => {
    const { io, out } = output();
    expect(await runKeysCommand(app, ['rotate-keys', '--force'], io)).toBe(0);
    expect(out.join('')).toMatch(
      /^Rotated signing keys: active [\w-]+, next [\w-]+, retiring [\w-]+ \(verifies until .+\)\n$/,
    );
    expect(await statuses(dataSource)).toEqual(['active', 'next', 'retiring']);
  });

  it('rotates without --force once the next key is old enough', async () => {
    instance.clock.advance(300_000);
    expect(await runKeysCommand(app, ['rotate-keys'], output().io)).toBe(0);
  });

  it('lists the keys, one line each, without key material', async () => {
    const { io, out } = output();
    expect(await runKeysCommand(app, ['list-keys'], io)).toBe(0);
    expect(out.join('').trim().split('\n')).toHaveLength(2);
    expect(out.join('')).not.toMatch(/PRIVATE|"n"|v1\./);
  });

  it.each([[[]], [['nope']], [['rotate-keys', '--yes']], [['list-keys', 'extra']]])(
    'answers %p with the usage and exit code 2',
    async (argv) => {
      const { io, err } = output();
      expect(await runKeysCommand(app, argv, io)).toBe(2);
      expect(err.join('')).toMatch(/^usage: /);
    },
  );
});
