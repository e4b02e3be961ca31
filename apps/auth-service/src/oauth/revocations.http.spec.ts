import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeycardAuthModule, parseRevocationMessage, type RevocationMessage } from '@keycard/auth';
import { SystemClock } from '@keycard/common';
import { ApiKeysModule } from '../api-keys/api-keys.module';
import { ClientsService } from '../clients/clients.service';
import { AUTH_ENTITIES } from '../database/entities';
import { KeyGenerator } from '../keys/key-material';
import { PooledKeyGenerator } from '../keys/keys.test-kit';
import { REDIS_CLIENT } from '../redis/redis.client';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { RevocationModule } from '../revocation/revocation.module';
import { createTestApp } from '../testing/test-app';
import { testAuthConfig } from '../testing/test-config';
import { TestGlobalsModule } from '../testing/test-globals';
import { TestRecordersModule } from '../testing/test-recorders';
import { OAuthModule } from './oauth.module';

const config = testAuthConfig();

const SERVICE = `Basic ${Buffer.from('resource:resource-secret').toString('base64')}`;

/** Reads SSE messages from a response until `count` arrived. */
async function read(response: Response, count: number): Promise<RevocationMessage[]> {
  const messages: RevocationMessage[] = [];
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  while (messages.length < count) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end >= 0) {
      const data = buffer
        .slice(0, end)
        .split('\n')
        .find((line) => line.startsWith('data: '));
      buffer = buffer.slice(end + 2);
      const message = data === undefined ? undefined : parseRevocationMessage(data.slice(6));
      if (message) messages.push(message);
      end = buffer.indexOf('\n\n');
    }
  }
  await reader.cancel();
  return messages;
}

describe('the revocation log over HTTP (GET /revocations, GET /revocations/stream)', () => {
  let app: NestFastifyApplication;
  let url: string;
  let events: RevocationEvents;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        TestGlobalsModule.with(config, new SystemClock(), [
          { provide: REDIS_CLIENT, useValue: null },
        ]),
        // The revocation log itself is the real RevocationModule's.
        TestRecordersModule.forRoot({ revocations: false }),
        TypeOrmModule.forRoot({
          type: 'better-sqlite3',
          database: ':memory:',
          entities: AUTH_ENTITIES,
          synchronize: true,
        }),
        KeycardAuthModule.forRootAsync({
          useFactory: () => ({
            issuer: config.issuer,
            audience: config.audience,
            keyResolver: { getKey: () => Promise.resolve(undefined) },
            revocation: false,
          }),
        }),
        RevocationModule,
        OAuthModule.register({ imports: [ApiKeysModule] }),
      ],
    })
      .overrideProvider(KeyGenerator)
      .useClass(PooledKeyGenerator)
      .compile();
    app = await createTestApp(moduleRef, config);
    await app.listen(0, '127.0.0.1');
    url = await app.getUrl();
    await app.get(ClientsService).create({
      name: 'resource',
      scopes: [],
      clientId: 'resource',
      clientSecret: 'resource-secret',
    });
    events = app.get(RevocationEvents);
  });
  afterAll(() => app.close());

  it('is for registered clients only', async () => {
    for (const path of ['/revocations', '/revocations/stream']) {
      expect((await fetch(`${url}${path}`)).status).toBe(401);
      const wrong = `Basic ${Buffer.from('resource:wrong').toString('base64')}`;
      expect((await fetch(`${url}${path}`, { headers: { authorization: wrong } })).status).toBe(
        401,
      );
    }
  });

  it('refuses a cursor that is not a whole number with 400', async () => {
    for (const after of ['-1', 'abc', '1e3']) {
      const answer = await fetch(`${url}/revocations?after=${after}`, {
        headers: { authorization: SERVICE },
      });
      expect(answer.status).toBe(400);
    }
  });

  it('pages the log from a cursor, with its head', async () => {
    await events.record([{ kind: 'sid', subject: 'page-1' }]);
    await events.record([{ kind: 'sid', subject: 'page-2' }]);
    const all = (await (
      await fetch(`${url}/revocations`, { headers: { authorization: SERVICE } })
    ).json()) as { events: { id: number; subject: string }[]; head: number };
    const first = all.events.find((event) => event.subject === 'page-1');
    const later = (await (
      await fetch(`${url}/revocations?after=${first?.id}`, { headers: { authorization: SERVICE } })
    ).json()) as { events: { subject: string }[]; head: number };
    expect(later.events.map((event) => event.subject)).toEqual(['page-2']);
    expect(later.head).toBeGreaterThanOrEqual(all.events[all.events.length - 1].id);
  });

  it('streams the backlog after the cursor, a heartbeat, then each new event', async () => {
    await events.record([{ kind: 'sid', subject: 'stream-old' }]);
    const head = (
      (await (
        await fetch(`${url}/revocations`, { headers: { authorization: SERVICE } })
      ).json()) as {
        head: number;
      }
    ).head;
    const stream = await fetch(`${url}/revocations/stream`, {
      headers: { authorization: SERVICE, 'last-event-id': String(head - 1) },
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    const reading = read(stream, 3);
    await events.record([{ kind: 'user_before', subject: 'stream-new' }]);
    const messages = await reading;
    expect(messages[0]).toMatchObject({ type: 'event', event: { subject: 'stream-old' } });
    expect(messages[1]).toEqual({ type: 'heartbeat', head });
    expect(messages[2]).toMatchObject({
      type: 'event',
      event: { kind: 'user_before', subject: 'stream-new', id: head + 1 },
    });
  });
});
