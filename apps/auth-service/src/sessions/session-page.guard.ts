import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { missingCredentials } from '@keycard/common';
import { SessionAuthenticator } from './session.authenticator';

/**
 * Guards the `@Public()` page routes (so the global guard never takes a bearer token or an API
 * key for them): a live session cookie is required, and a state-changing form must carry the
 * session's CSRF token. Failures become a redirect to `/login` or a 403 page (PageExceptionFilter).
 */
@Injectable()
export class SessionPageGuard implements CanActivate {
  constructor(private readonly authenticator: SessionAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const principal = await this.authenticator.authenticate(
      context.switchToHttp().getRequest<object>(),
    );
    if (!principal) throw missingCredentials();
    return true;
  }
}
