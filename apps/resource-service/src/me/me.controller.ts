import { Controller, Get, Header, Req } from '@nestjs/common';
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
 * Each principal's answer, serialized once. A cached token or API-key answer hands every request
 * of its caller the same frozen principal, so a repeat caller's `GET /me` is one WeakMap lookup
 * instead of building and serializing its view again (the bench's hot route; docs/benchmarks.md).
 * Keyed by the principal object itself, so an answer is only ever that principal's, and goes with
 * it when the verifier's cache drops it. A principal that is not frozen (made for this request
 * alone, or one that could still change) is answered afresh.
 */
const answers = new WeakMap<Principal, string>();

export function meAnswer(caller: Principal): string {
  const kept = answers.get(caller);
  if (kept !== undefined) return kept;
  const view: MeView = {
    sub: caller.sub,
    roles: caller.roles,
    scope: caller.scopes.join(' '),
    authType: caller.authType,
    environment: caller.environment,
  };
  const answer = JSON.stringify(view);
  if (Object.isFrozen(caller)) answers.set(caller, answer);
  return answer;
}

@ApiTags('Caller')
@Controller('me')
export class MeController {
  @Get()
  @ApiMe()
  // The answer is JSON already (`meAnswer`): Fastify sends a string as it is under this type.
  @Header('Content-Type', 'application/json; charset=utf-8')
  // The hot route of the bench: `@Req()` instead of `@CurrentPrincipal()`, which Nest would pass
  // through the global ValidationPipe (an async step, about 3 µs a request; docs/benchmarks.md).
  me(@Req() { user: caller }: AuthenticatedRequest): string {
    return meAnswer(caller);
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
