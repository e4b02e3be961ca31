import { Controller, Get, Req } from '@nestjs/common';
import { RouteSchema } from '@nestjs/platform-fastify';
import { ApiTags } from '@nestjs/swagger';
import type { AuthenticatedRequest, AuthType } from '@keycard/auth';
import { CurrentPrincipal, Principal, RequireAuth } from '@keycard/auth';
import type { ApiKeyEnvironment } from '@keycard/common';
import { ApiMe } from './me.responses';
import { ApiStepUp } from './step-up.responses';

export interface MeView {
  sub: string;
  roles: string[];
  /** Space-separated, like the token's `scope` claim. */
  scope: string;
  authType: AuthType;
  /** An API key's environment (`live` / `test`); absent for a token. */
  environment?: ApiKeyEnvironment;
}

/**
 * Fastify serializes the answer from this schema (compiled once) instead of `JSON.stringify`, and
 * writes nothing the schema does not name.
 */
const ME_RESPONSE = {
  type: 'object',
  properties: {
    sub: { type: 'string' },
    roles: { type: 'array', items: { type: 'string' } },
    scope: { type: 'string' },
    authType: { type: 'string' },
    environment: { type: 'string' },
  },
  required: ['sub', 'roles', 'scope', 'authType'],
} as const;

@ApiTags('Caller')
@Controller('me')
export class MeController {
  @Get()
  @ApiMe()
  @RouteSchema({ response: { 200: ME_RESPONSE } })
  // The hot route of the bench: `@Req()` instead of `@CurrentPrincipal()`, which Nest would pass
  // through the global ValidationPipe (an async step, about 3 µs a request; docs/benchmarks.md).
  me(@Req() { user: caller }: AuthenticatedRequest): MeView {
    return {
      sub: caller.sub,
      roles: caller.roles,
      scope: caller.scopes.join(' '),
      authType: caller.authType,
      environment: caller.environment,
    };
  }

  /** Step-up (RFC 9470): a second factor within the last 10 minutes, or the 401 challenge. */
  @Get('step-up')
  @RequireAuth({ mfa: true, maxAge: 600 })
  @ApiStepUp()
  stepUp(@CurrentPrincipal() caller: Principal): { sub: string; amr: string[]; authTime: number } {
    return {
      sub: caller.sub,
      amr: caller.amr ?? [],
      authTime: Math.floor((caller.authTime ?? 0) / 1000),
    };
  }
}
