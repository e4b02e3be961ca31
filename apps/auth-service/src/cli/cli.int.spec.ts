import type { TestingModule } from '@nestjs/testing';
import { Test } from '@nestjs/testing';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { createTestPostgresDatabase, testBackendUrls } from '@keycard/testing';
import { CliModule } from '../app/cli.module';
import { AuditEventEntity } from '../audit/audit-event.entity';
import { ClientsService } from '../clients/clients.service';
import { authConfig } from '../config/auth.config';
import { KeyGenerator } from '../keys/key-material';
import { PooledKeyGenerator } from '../keys/keys.test-kit';
import { MailOutboxWorker } from '../mail/mail-outbox.worker';
import { RetentionScheduler } from '../retention/retention.scheduler';
import { SessionsService } from '../sessions/sessions.service';
import { testAuthConfig } from '../testing/test-config';
import { UsersService } from '../users/users.service';
import { runCommand } from './cli';

class Output {
  text = '';
  write = (chunk: string | Uint8Array): boolean => {
    this.text += String(chunk);
    return true;
  };
}

const backends = testBackendUrls();

/*
 * The command line as main.js runs it: the real services in `CliModule` (not the whole
 * AppModule), on a migrated database, SQLite always and PostgreSQL when TEST_DATABASE_URL is set.
 */
describe.each(backends)('the command line (CliModule) on %s', (_backend, baseUrl) => {
  let context: TestingModule;
  let drop: (() => Promise<void>) | undefined;

  async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const io = { out: new Output(), err: new Output() };
    const code = await runCommand(context, argv, io);
    return { code, out: io.out.text, err: io.err.text };
  }

  beforeAll(async () => {
    const database = baseUrl ? await createTestPostgresDatabase(baseUrl, 'cli') : undefined;
    drop = database?.drop;
    const config = testAuthConfig(database ? { DATABASE_URL: database.url } : {});
    context = await Test.createTestingModule({ imports: [CliModule] })
      .overrideProvider(authConfig.KEY)
      .useValue(config)
      .overrideProvider(KeyGenerator)
      .useClass(PooledKeyGenerator)
      .compile();
    context.useLogger(false);
    await context.init();
  });

  afterAll(async () => {
    await context?.close();
    await drop?.();
  });

  it('has the services of the commands, and none of the server-only workers', () => {
    for (const service of [ClientsService, UsersService])
      expect(context.get(service)).toBeDefined();
    for (const serverOnly of [MailOutboxWorker, RetentionScheduler, SessionsService]) {
      expect(() => context.get(serverOnly, { strict: false })).toThrow();
    }
  });

  it('create-client registers a client whose printed secret authenticates', async () => {
    const { code, out, err } = await run('create-client', 'Billing', '--scopes', 'documents:read');
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const clientId = /^client_id: (\S+)$/m.exec(out)?.[1] ?? '';
    const secret = /^client_secret: (\S+)$/m.exec(out)?.[1] ?? '';
    expect(out).toContain('scopes: documents:read');
    expect(await context.get(ClientsService).authenticate(clientId, secret)).not.toBeNull();
  });

  it('list-keys and rotate-keys run against the key table', async () => {
    const listed = await run('list-keys');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(/active/);
    expect((await run('rotate-keys', '--force')).code).toBe(0);
    expect((await run('list-keys')).out).toMatch(/retiring/);
  });

  it('promote-admin makes a user an admin and writes its audit event first', async () => {
    const user = await context.get(UsersService).create({ email: 'ada@example.test' });
    const { code, out } = await run('promote-admin', 'ada@example.test');
    expect(code).toBe(0);
    expect(out).toContain('is now an admin');
    expect((await context.get(UsersService).findById(user.id))?.roles).toContain('admin');
    const audit = context.get<Repository<AuditEventEntity>>(getRepositoryToken(AuditEventEntity));
    expect(await audit.countBy({ subjectId: user.id })).toBeGreaterThan(0);
  });

  it('answers 2 with the usage for an unknown command', async () => {
    const { code, err } = await run('make-coffee');
    expect(code).toBe(2);
    expect(err).toMatch(/^usage: main\.js <command>/);
  });
});
