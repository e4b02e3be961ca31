import { fork } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { SinkMessage, SmtpSink, TestDatabase } from '@keycard/testing';
import { createTestPostgresDatabase } from '@keycard/testing';
import { MailOutboxWorker } from '../mail/mail-outbox.worker';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { cookiePair, setCookieFor, startSessionApp } from '../sessions/sessions.test-kit';
import { AccountBackground } from './account-background';

/*
 * Test-only: the whole auth-service (sessions test kit) with its mail going to an SMTP sink, on
 * SQLite or, given a PostgreSQL server URL, on a fresh database migrated for the run.
 */

export interface AccountTestApp extends SessionTestApp {
  sink: SmtpSink;
  /** Waits until the background work and the outbox have nothing left to do. */
  settle(): Promise<void>;
  /** The first mail to `to` whose subject starts with `subject` (waits for it). */
  mailTo(to: string, subject: string): Promise<SinkMessage>;
}

export async function startAccountApp(
  sink: SmtpSink,
  postgresUrl: string | undefined,
  env: Record<string, string> = {},
): Promise<AccountTestApp & { database?: TestDatabase }> {
  const database = postgresUrl
    ? await createTestPostgresDatabase(postgresUrl, 'account')
    : undefined;
  const t = await startSessionApp({
    SMTP_URL: sink.url,
    MAIL_FROM: 'Keycard <no-reply@keycard.test>',
    REGISTER_RATE_LIMIT: '10000',
    ...(database ? { DATABASE_URL: database.url } : {}),
    ...env,
  });
  const background = t.app.get(AccountBackground);
  const worker = t.app.get(MailOutboxWorker);
  const settle = async () => {
    await background.idle();
    worker.kick();
    await worker.idle();
  };
  return {
    ...t,
    sink,
    database,
    settle,
    mailTo: (to, subject) =>
      sink.waitForMessage((m) => m.to.includes(to.toLowerCase()) && m.subject.startsWith(subject)),
    close: async () => {
      await t.close();
      await database?.drop();
    },
  };
}

/** The `token` query parameter of the first link of a mail. */
export function linkToken(message: SinkMessage): string {
  const token = new URL(message.links[0]).searchParams.get('token');
  if (!token) throw new Error(`no token in ${message.links[0]}`);
  return token;
}

let counter = 0;
/** A fresh address for one test. */
export function newAddress(label = 'user'): string {
  counter += 1;
  return `${label}-${counter}-${Date.now().toString(36)}@example.test`;
}

/** Registers over the API; the password is one the policy accepts. */
export async function register(
  t: AccountTestApp,
  email: string,
  password = 'kT9#qz!w-registered',
): Promise<{ id: string; email: string }> {
  const response = await request(t.http)
    .post('/auth/register')
    .send({ email, password })
    .expect(201);
  return response.body as { id: string; email: string };
}

export async function login(
  t: AccountTestApp,
  email: string,
  password: string,
): Promise<{ accessToken: string; refreshToken: string }> {
  const response = await request(t.http).post('/auth/login').send({ email, password }).expect(200);
  return response.body as { accessToken: string; refreshToken: string };
}

/** A browser session over the JSON sign-in: its cookie (for a Cookie header) and CSRF token. */
export async function sessionSignIn(
  t: AccountTestApp,
  email: string,
  password: string,
): Promise<{ cookie: string; csrfToken: string; id: string }> {
  const response = await request(t.http)
    .post('/session/login')
    .send({ email, password })
    .expect(200);
  const line = setCookieFor(response);
  if (!line) throw new Error('no session cookie set');
  const body = response.body as { id: string; csrfToken: string };
  return { cookie: cookiePair(line), csrfToken: body.csrfToken, id: body.id };
}

/** Times one JSON POST from another process, as a remote client sees it: status and milliseconds. */
export interface RemoteClient {
  post(
    url: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; ms: number }>;
  close(): void;
}

const CLIENT_SCRIPT = `
process.on('message', async ({ id, url, body, headers }) => {
  const started = process.hrtime.bigint();
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  await response.text();
  process.send({ id, status: response.status, ms: Number(process.hrtime.bigint() - started) / 1e6 });
});
`;

/**
 * A client in a child process, so that work the server does after answering (in this process)
 * cannot delay the reading of the answer, as it would for a client in the same event loop.
 */
export function startRemoteClient(): RemoteClient {
  const dir = mkdtempSync(join(tmpdir(), 'keycard-client-'));
  const script = join(dir, 'client.cjs');
  writeFileSync(script, CLIENT_SCRIPT);
  const child = fork(script, [], { stdio: 'ignore' });
  let next = 0;
  const pending = new Map<number, (answer: { status: number; ms: number }) => void>();
  child.on('message', (message: { id: number; status: number; ms: number }) => {
    pending.get(message.id)?.({ status: message.status, ms: message.ms });
    pending.delete(message.id);
  });
  return {
    post: (url, body, headers = {}) =>
      new Promise((resolve) => {
        next += 1;
        pending.set(next, resolve);
        child.send({ id: next, url, body, headers });
      }),
    close: () => {
      child.kill();
    },
  };
}
