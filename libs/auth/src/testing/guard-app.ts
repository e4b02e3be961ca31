import { Controller, Get, INestApplication, Req } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureHttpApp } from '@keycard/common';
import { CurrentPrincipal, principalOf, Public, Roles, Scopes } from '../lib/decorators';
import { KeycardAuthModule } from '../lib/keycard-auth.module';
import type { KeycardAuthOptions } from '../lib/options';
import type { Principal } from '../lib/principal';
import { AUDIENCE, ISSUER } from './fixtures';

@Controller()
class ProbeController {
  @Public()
  @Get('public')
  open(): { ok: true } {
    return { ok: true };
  }

  @Get('me')
  me(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Roles('admin', 'auditor')
  @Get('admin')
  admin(): { ok: true } {
    return { ok: true };
  }

  @Scopes('documents:read', 'documents:write')
  @Get('write')
  write(): { ok: true } {
    return { ok: true };
  }

  @Public()
  @Get('public-principal')
  misuse(@CurrentPrincipal() principal: Principal): Principal {
    return principal;
  }

  @Get('me-from-request')
  meFromRequest(@Req() request: { user?: unknown }): Principal {
    return principalOf(request);
  }

  @Public()
  @Get('public-principal-from-request')
  misuseFromRequest(@Req() request: { user?: unknown }): Principal {
    return principalOf(request);
  }
}

export type Platform = 'express' | 'fastify';

/** A tiny Nest app behind the real KeycardAuthModule, on Express or Fastify. */
export async function createGuardTestApp(
  platform: Platform,
  options: Partial<KeycardAuthOptions>,
): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      KeycardAuthModule.forRootAsync({
        useFactory: () => ({ issuer: ISSUER, audience: AUDIENCE, ...options }),
      }),
    ],
    controllers: [ProbeController],
  }).compile();
  const app =
    platform === 'fastify'
      ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
          logger: false,
        })
      : moduleRef.createNestApplication({ logger: false });
  configureHttpApp(app);
  await app.init();
  if (platform === 'fastify')
    await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app;
}
