import { CanActivate, ExecutionContext, Injectable, Optional } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Clock, SystemClock } from '@keycard/common';
import { principalOf } from '../decorators';
import { insufficientUserAuthentication, StepUpRequirement, unmetStepUp } from './step-up';

export const STEP_UP_KEY = 'keycard:step-up';

/**
 * Runs after the global guard (route guards always do), so the principal is there: checks the
 * route's `@RequireAuth` requirement against its `amr` and `auth_time`. Uses the app's `Clock`
 * when it provides one (tests freeze time with it).
 */
@Injectable()
export class StepUpGuard implements CanActivate {
  private readonly clock: Clock;

  constructor(
    private readonly reflector: Reflector,
    // Optional on purpose: a resource service need not provide a `Clock`; only the time source changes.
    @Optional() clock?: Clock,
  ) {
    this.clock = clock ?? new SystemClock();
  }

  canActivate(context: ExecutionContext): boolean {
    const requirement = this.reflector.getAllAndOverride<StepUpRequirement | undefined>(
      STEP_UP_KEY,
      [context.getHandler(), context.getClass()],
    );
    if (!requirement) return true;
    const principal = principalOf(context.switchToHttp().getRequest<{ user?: unknown }>());
    const unmet = unmetStepUp(principal, requirement, this.clock.now());
    if (unmet) throw insufficientUserAuthentication(unmet, requirement);
    return true;
  }
}
