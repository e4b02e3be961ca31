import type { INestApplicationContext } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { runAdminCommand } from './admin.cli';
import type { Promotion } from './admin-promotion.service';
import { AdminPromotionService } from './admin-promotion.service';

const USER_ID = '7d8e0b0c-1b7a-4c39-9d5e-0a4f3c2b1a00';

function setup(promote: (email: string) => Promise<Promotion>) {
  const asked: string[] = [];
  const service = {
    promote: (email: string) => {
      asked.push(email);
      return promote(email);
    },
  };
  const app = {
    get: (token: unknown) => {
      if (token !== AdminPromotionService) throw new Error('unexpected token');
      return service;
    },
  } as unknown as INestApplicationContext;
  const out: string[] = [];
  const err: string[] = [];
  const io = {
    out: { write: (text: string) => out.push(text) > 0 },
    err: { write: (text: string) => err.push(text) > 0 },
  };
  const run = (...argv: string[]) => runAdminCommand(app, argv, io);
  return { run, asked, out: () => out.join(''), err: () => err.join('') };
}

const done =
  (changes: Partial<Promotion> = {}) =>
  async (email: string): Promise<Promotion> => ({
    userId: USER_ID,
    email: email.toLowerCase(),
    changed: true,
    reenabled: false,
    ...changes,
  });

describe('runAdminCommand (promote-admin)', () => {
  it.each([
    [{}, `ada@example.com (user ${USER_ID}) is now an admin\n`],
    [
      { reenabled: true },
      `ada@example.com (user ${USER_ID}) is now an admin; the account was disabled and is enabled again\n`,
    ],
    [{ changed: false }, `ada@example.com (user ${USER_ID}) already is an enabled admin\n`],
  ])('prints one line, the answer, and exits 0 (%p)', async (changes, line) => {
    const { run, asked, out, err } = setup(done(changes));
    expect(await run('promote-admin', 'Ada@Example.com')).toBe(0);
    expect(asked).toEqual(['Ada@Example.com']);
    expect(out()).toBe(line);
    expect(err()).toBe('');
  });

  it('exits 1 with one line on stderr, and nothing on stdout, for an unknown e-mail', async () => {
    const { run, out, err } = setup(async () => {
      throw new KeycardError(ErrorCode.NotFound, { message: 'No user has this e-mail address' });
    });
    expect(await run('promote-admin', 'nobody@example.com')).toBe(1);
    expect(err()).toBe('promote-admin failed: No user has this e-mail address\n');
    expect(out()).toBe('');
  });

  it('lets an unexpected failure through (the process reports it), printing nothing', async () => {
    const { run, out } = setup(async () => {
      throw new Error('database down');
    });
    await expect(run('promote-admin', 'ada@example.com')).rejects.toThrow('database down');
    expect(out()).toBe('');
  });

  it.each([
    [['promote-admin']],
    [['promote-admin', 'a@example.com', 'b@example.com']],
    [['promote-admin', '--force']],
    [['promote-admins', 'a@example.com']],
  ])('answers %p with the usage and exit code 2, promoting nobody', async (argv) => {
    const { run, asked, err } = setup(done());
    expect(await run(...argv)).toBe(2);
    expect(err()).toBe('usage: promote-admin <email>\n');
    expect(asked).toEqual([]);
  });
});
