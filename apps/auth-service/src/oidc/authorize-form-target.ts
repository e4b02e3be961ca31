import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AUTHORIZE_RESUME_PATH } from '../sessions/return-path';
import { FormTargets } from '../web/form-targets';
import { PendingRequestsService } from './pending-requests.service';

/**
 * Tells `FormTargets` where a sign-in that resumes a waiting authorization request ends: the
 * origin of the request's redirect URI, so that the sign-in steps shown on the way (the second
 * factor) let the browser follow the redirects to the app.
 */
@Injectable()
export class AuthorizeFormTarget implements OnModuleInit {
  constructor(
    private readonly targets: FormTargets,
    private readonly pending: PendingRequestsService,
  ) {}

  onModuleInit(): void {
    this.targets.register((returnPath) => this.originOf(returnPath));
  }

  private async originOf(returnPath: string): Promise<string | undefined> {
    const prefix = `${AUTHORIZE_RESUME_PATH}?`;
    if (!returnPath.startsWith(prefix)) return undefined;
    const handle = new URLSearchParams(returnPath.slice(prefix.length)).get('request');
    const waiting = await this.pending.peek(handle);
    return waiting === undefined ? undefined : new URL(waiting.request.redirectUri).origin;
  }
}
