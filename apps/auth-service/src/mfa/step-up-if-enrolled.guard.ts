import { CanActivate, ExecutionContext, Injectable, UseGuards } from '@nestjs/common';
import { insufficientUserAuthentication, Principal } from '@keycard/auth';
import { UsersService } from '../users/users.service';
import { mfaMethodsOf } from './mfa-methods';
import { hasMultiFactor } from '../auth-context/sign-in-context';

/**
 * Keycard's own sensitive actions (a new API key, a password or e-mail change, adding or removing
 * a factor): a user who has a second factor must have signed in with it, or gets the RFC 9470
 * challenge (401 `insufficient_user_authentication`). Users without one are not asked, so they
 * can still set one up. Costs one read of the user, on these routes only.
 */
@Injectable()
export class StepUpIfEnrolledGuard implements CanActivate {
  constructor(private readonly users: UsersService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    // Not a person (API key, client token): the route refuses it on its own.
    if (!principal || principal.authType === 'api_key' || principal.scopeRestricted) return true;
    if (hasMultiFactor(principal.amr)) return true;
    const user = await this.users.findById(principal.sub);
    if (user && mfaMethodsOf(user).length > 0) {
      throw insufficientUserAuthentication('mfa', { mfa: true });
    }
    return true;
  }
}

/** `StepUpIfEnrolledGuard` on a route. */
export function StepUpIfEnrolled(): MethodDecorator & ClassDecorator {
  return UseGuards(StepUpIfEnrolledGuard);
}
