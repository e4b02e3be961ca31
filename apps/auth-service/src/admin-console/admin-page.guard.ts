import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Principal } from '@keycard/auth';
import { ErrorCode, KeycardError, missingCredentials } from '@keycard/common';
import { MFA_SETTINGS, MfaSettings } from '../mfa/mfa-settings';
import { hasMultiFactor } from '../auth-context/sign-in-context';
import { SessionAuthenticator } from '../sessions/session.authenticator';
import { ADMIN_ROLE } from '../users/admin-guarded-writes';

/**
 * Guards the console's `@Public()` page routes: a live session cookie (else a redirect to
 * `/login`), the session's CSRF token on every post (else 403), and the `admin` role, read from
 * the database with the session (else a 403 page). The admin becomes the request's principal, so
 * the services' audit events name them as the actor.
 */
@Injectable()
export class AdminPageGuard implements CanActivate {
  private readonly needsSecondFactor: boolean;

  constructor(
    private readonly authenticator: SessionAuthenticator,
    @Inject(MFA_SETTINGS) mfa: Pick<MfaSettings, 'requiredRoles'>,
  ) {
    this.needsSecondFactor = mfa.requiredRoles.includes(ADMIN_ROLE);
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<{ user?: Principal | null }>();
    const principal = await this.authenticator.authenticate(request);
    if (!principal) throw missingCredentials();
    if (!principal.roles.includes(ADMIN_ROLE)) {
      throw new KeycardError(ErrorCode.Forbidden, {
        message: 'The admin console needs the admin role',
        reason: 'not an admin',
      });
    }
    // MFA_REQUIRED_ROLES includes admin: the console, like every admin route, needs a second factor.
    if (this.needsSecondFactor && !hasMultiFactor(principal.amr)) {
      throw new KeycardError(ErrorCode.Forbidden, {
        message:
          'The admin console needs a sign-in with a second factor: set one up on your account page, then sign in again',
        reason: 'admin console without mfa',
      });
    }
    request.user = principal;
    return true;
  }
}
