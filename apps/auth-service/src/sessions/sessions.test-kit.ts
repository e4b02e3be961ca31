import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import type { Server } from 'node:http';
import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import request from 'supertest';
import { Clock, ManualClock } from '@keycard/common';
import { AppModule } from '../app/app.module';
import type { AuthSettings } from '../config/auth.config';
import { authConfig } from '../config/auth.config';
import { KeyGenerator } from '../keys/key-material';
import { PooledKeyGenerator } from '../keys/keys.test-kit';
import { createTestApp } from '../testing/test-app';
import { testAuthConfig } from '../testing/test-config';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { SESSION_COOKIE } from './session-cookies';

/*
 * Test-only: the whole auth-service AppModule built as main.ts builds it (configureAuthApp, no
 * Nest body parser), on SQLite in a temporary DATA_DIR, with a ManualClock as `Clock`. Not
 * imported by the app.
 */

export const PASSWORD = 'correct horse battery staple';
/** Supertest's requests come from the loopback address; the issuer is the default one. */
export const ISSUER_ORIGIN = 'http://localhost:3000';

export interface SessionTestApp {
  app: NestFastifyApplication;
  http: Server;
  clock: ManualClock;
  config: AuthSettings;
  users: UsersService;
  close(): Promise<void>;
}

export interface SignedIn {
  /** `keycard.sid=<value>`, ready for a Cookie header. */
  cookie: string;
  csrfToken: string;
  id: string;
}

export async function startSessionApp(
  env: Record<string, string> = {},
  clock = new ManualClock(Date.now()),
): Promise<SessionTestApp> {
  // Plenty of attempts per IP: every spec signs in from 127.0.0.1 many times.
  const config = testAuthConfig({
    COOKIE_SECURE: 'false',
    LOGIN_MAX_FAILURES_PER_IP: '10000',
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(authConfig.KEY)
    .useValue(config)
    .overrideProvider(Clock)
    .useValue(clock)
    .overrideProvider(KeyGenerator)
    .useClass(PooledKeyGenerator)
    .compile();
  const app = await createTestApp(moduleRef, config);
  return {
    app,
    http: app.getHttpServer() as Server,
    clock,
    config,
    users: app.get(UsersService),
    close: () => app.close(),
  };
}

export async function createUser(
  t: SessionTestApp,
  roles: string[] = ['user'],
  name = 'Ada Lovelace',
): Promise<UserEntity> {
  const email = `user-${randomBytes(5).toString('hex')}@example.test`;
  return t.users.create({ email, password: PASSWORD, name, roles });
}

/** Every `Set-Cookie` line of a response. */
export function setCookies(response: Response): string[] {
  const header = response.headers['set-cookie'] as string[] | string | undefined;
  if (header === undefined) return [];
  return Array.isArray(header) ? header : [header];
}

/** The `Set-Cookie` line for cookie `name`, if the response set it. */
export function setCookieFor(response: Response, name = SESSION_COOKIE): string | undefined {
  return setCookies(response).find((line) => line.startsWith(`${name}=`));
}

/** `name=value` of a `Set-Cookie` line, for a Cookie request header. */
export function cookiePair(line: string): string {
  return line.split(';')[0];
}

/** JSON sign-in; fails the test unless it answers 200 with a session cookie. */
export async function signIn(
  t: SessionTestApp,
  user: Pick<UserEntity, 'email'>,
  headers: Record<string, string> = {},
): Promise<SignedIn> {
  const response = await request(t.http)
    .post('/session/login')
    .set(headers)
    .send({ email: user.email, password: PASSWORD })
    .expect(200);
  const line = setCookieFor(response);
  if (!line) throw new Error('no session cookie set');
  const body = response.body as { id: string; csrfToken: string };
  return { cookie: cookiePair(line), csrfToken: body.csrfToken, id: body.id };
}

/** The sign-in page's double-submit token and its cookie (for form posts to /session/login). */
export async function loginForm(t: SessionTestApp): Promise<{ cookie: string; csrf: string }> {
  const response = await request(t.http).get('/login').expect(200);
  const line = setCookieFor(response, 'keycard.csrf');
  const match = /name="_csrf" value="([^"]+)"/.exec(response.text);
  if (!line || !match) throw new Error('the sign-in page has no CSRF token');
  return { cookie: cookiePair(line), csrf: match[1] };
}

export const MINUTE = 60_000;

/** Page markup with whitespace between and inside tags collapsed, so assertions ignore formatting. */
export function squash(markup: string): string {
  return markup.replace(/\s+/g, ' ').replace(/ ?\/>/g, '>').replace(/> /g, '>').replace(/ </g, '<');
}
