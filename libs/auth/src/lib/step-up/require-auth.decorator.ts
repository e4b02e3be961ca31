import { applyDecorators, SetMetadata, UseGuards } from '@nestjs/common';
import type { StepUpRequirement } from './step-up';
import { STEP_UP_KEY, StepUpGuard } from './step-up.guard';

/**
 * Step-up (RFC 9470) on a route or controller: the caller's sign-in must have used a second
 * factor (`mfa: true`) and/or be at most `maxAge` seconds old. Otherwise 401 with
 * `WWW-Authenticate: Bearer error="insufficient_user_authentication"` (plus `max_age`).
 *
 * @example
 *   @RequireAuth({ mfa: true, maxAge: 600 })
 *   @Post('transfers')
 *   transfer(@CurrentPrincipal() principal: Principal) { … }
 */
export function RequireAuth(requirement: StepUpRequirement): MethodDecorator & ClassDecorator {
  return applyDecorators(SetMetadata(STEP_UP_KEY, requirement), UseGuards(StepUpGuard));
}
