import { Body, Controller, Get, INestApplication, Logger, Param, Post, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KeycardAuthModule, Public } from '@keycard/auth';
import { KeycardExceptionFilter } from '@keycard/common';
import { ObservabilityModule } from '../lib/observability.module';
import type { ObservabilityOptions } from '../lib/options';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];

/** A promise a test resolves by hand: holds the `/slow` request in flight. */
export class Gate {
  entered!: Promise<void>;
  release!: () => void;
  private enter!: () => void;
  private opened!: Promise<void>;

  constructor() {
    this.reset();
  }

  reset(): void {
    this.entered = new Promise((resolve) => (this.enter = resolve));
    this.opened = new Promise((resolve) => (this.release = resolve));
  }

  async pass(): Promise<void> {
    this.enter();
    await this.opened;
  }
}

export const gate = new Gate();

@Controller()
class ProbeController {
  @Public()
  @Get('things/:id')
  thing(@Param('id') id: string): { id: string } {
    return { id };
  }

  @Public()
  @Post('login')
  login(
    @Body() body: { password?: string },
    @Res({ passthrough: true }) res: unknown,
  ): { ok: boolean } {
    new Logger('Probe').log('login attempt');
    const adapter = this.adapterHost.httpAdapter;
    adapter.setHeader(res, 'Set-Cookie', 'keycard.sid=set-cookie-secret-77; HttpOnly');
    return { ok: typeof body.password === 'string' };
  }

  @Public()
  @Get('callback')
  callback(): { ok: true } {
    return { ok: true };
  }

  @Get('private')
  secret(): { ok: true } {
    return { ok: true };
  }

  @Public()
  @Get('slow')
  async slow(): Promise<{ done: true }> {
    await gate.pass();
    return { done: true };
  }

  constructor(private readonly adapterHost: HttpAdapterHost) {}
}

/**
 * A tiny app like the real services: TypeORM on in-memory SQLite, the real deny-by-default
 * KeycardAuthModule (no key is known, so every bearer token is refused), the app-wide exception
 * filter, and the ObservabilityModule under test.
 */
export async function createObservedApp(
  platform: Platform,
  options: Partial<ObservabilityOptions> = {},
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({ type: 'better-sqlite3', database: ':memory:', retryAttempts: 0 }),
      KeycardAuthModule.forRootAsync({
        useFactory: () => ({
          issuer: 'https://issuer.test',
          audience: 'keycard',
          keyResolver: { getKey: () => Promise.resolve(undefined) },
        }),
      }),
      ObservabilityModule.forRoot({ service: 'test-service', logLevel: 'silent', ...options }),
    ],
    controllers: [ProbeController],
  }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
          logger: false,
        })
      : moduleRef.createNestApplication({ logger: false });
  app.useGlobalFilters(new KeycardExceptionFilter(app.get(HttpAdapterHost)));
  return app;
}

/** Initialises the app (and Fastify's router) without listening. */
export async function ready(app: INestApplication): Promise<INestApplication> {
  await app.init();
  if (app.getHttpAdapter().getType() === 'fastify') {
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  }
  return app;
}
