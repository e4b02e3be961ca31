import type { INestApplicationContext } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import type { CreatedClient, NewClient } from '../clients/clients.service';
import { ClientsService } from '../clients/clients.service';
import { KeysService } from '../keys/keys.service';
import { AdminPromotionService } from '../users/admin-promotion.service';
import { runCommand } from './cli';

const SECRET = 'cs_this-is-the-generated-secret-value-000000';

class Output {
  text = '';
  write = (chunk: string | Uint8Array): boolean => {
    this.text += String(chunk);
    return true;
  };
}

function setup(create: (input: NewClient) => Promise<CreatedClient>) {
  const created: NewClient[] = [];
  let keysListed = 0;
  const clients = {
    register: (input: NewClient) => {
      created.push(input);
      return create(input);
    },
  };
  const keys = {
    list: async () => {
      keysListed++;
      return [];
    },
  };
  const promoted: string[] = [];
  const promotion = {
    promote: async (email: string) => {
      promoted.push(email);
      return { userId: 'u-1', email, changed: true, reenabled: false };
    },
  };
  const services = new Map<unknown, unknown>([
    [ClientsService, clients],
    [KeysService, keys],
    [AdminPromotionService, promotion],
  ]);
  const app = {
    get: (token: unknown) => services.get(token),
  } as unknown as INestApplicationContext;
  const io = { out: new Output(), err: new Output() };
  const run = (...argv: string[]) => runCommand(app, argv, io);
  return { run, io, created, promoted, keysListed: () => keysListed };
}

const ok = async (input: NewClient): Promise<CreatedClient> => ({
  clientId: 'svc_generated',
  clientSecret: SECRET,
  name: input.name,
  scopes: input.scopes,
});

describe('runCommand', () => {
  it('create-client prints the id and the secret once, and exits 0', async () => {
    const { run, io, created } = setup(ok);
    expect(await run('create-client', 'Billing job', '--scopes', 'documents:read  reports')).toBe(
      0,
    );
    expect(created).toEqual([{ name: 'Billing job', scopes: ['documents:read', 'reports'] }]);
    expect(io.out.text).toContain('client_id: svc_generated');
    expect(io.out.text.split(SECRET)).toHaveLength(2);
    expect(io.err.text).toBe('');
  });

  it('create-client accepts --scopes=… and no scopes at all', async () => {
    const { run, created } = setup(ok);
    expect(await run('create-client', '--scopes=a b', 'Reports')).toBe(0);
    expect(await run('create-client', 'Plain')).toBe(0);
    expect(created).toEqual([
      { name: 'Reports', scopes: ['a', 'b'] },
      { name: 'Plain', scopes: [] },
    ]);
  });

  it.each([
    ['no command', []],
    ['an unknown command', ['delete-everything']],
    ['create-client without a name', ['create-client']],
    ['create-client with two names', ['create-client', 'a', 'b']],
    ['create-client with an unknown flag', ['create-client', 'a', '--admin']],
    ['create-client with --scopes and no value', ['create-client', 'a', '--scopes']],
  ])('prints the usage and exits 2 for %s', async (_case, argv) => {
    const { run, io, created } = setup(ok);
    expect(await run(...argv)).toBe(2);
    expect(io.err.text).toContain('usage:');
    expect(created).toEqual([]);
  });

  it('exits 1 with the public message when the service refuses, never printing a secret', async () => {
    const { run, io } = setup(async () => {
      throw new KeycardError(ErrorCode.ValidationFailed, {
        message: 'name must be 1 to 100 characters',
      });
    });
    expect(await run('create-client', 'x')).toBe(1);
    expect(io.err.text).toBe('create-client failed: name must be 1 to 100 characters\n');
    expect(io.out.text).toBe('');
  });

  it('hands promote-admin to the admin commands, and lists it in the usage', async () => {
    const { run, io, promoted } = setup(ok);
    expect(await run('promote-admin', 'ada@example.com')).toBe(0);
    expect(promoted).toEqual(['ada@example.com']);
    expect(io.out.text).toBe('ada@example.com (user u-1) is now an admin\n');
    expect(await run()).toBe(2);
    expect(io.err.text).toContain('promote-admin <email>');
  });

  it('hands rotate-keys and list-keys to the keys commands', async () => {
    const { run, keysListed } = setup(ok);
    expect(await run('list-keys')).toBe(0);
    expect(keysListed()).toBe(1);
  });
});
