import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { RevocationEvent } from '@keycard/auth';
import { ClientsService } from '../clients/clients.service';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { AppLogin, AppLoginsService } from './app-logins.service';
import { IdTokenService } from './id-token.service';

/** Delays before each retry of a failed delivery (Back-Channel Logout 1.0 §2.8: retry is allowed). */
export const BACKCHANNEL_RETRY_DELAYS_MS = [1_000, 5_000, 30_000];
const DELIVERY_TIMEOUT_MS = 5_000;

/**
 * OpenID Connect Back-Channel Logout 1.0: when a browser session ends — however it ends (sign-out,
 * `DELETE /sessions/:id`, logout-all, a disabled user, a password reset, RP-initiated logout) —
 * the app logins it started are revoked and every app with a `backchannelLogoutUri` gets a signed
 * `logout_token` at once, retried on failure. Session ends arrive through the revocation log, so
 * the one place that ends a session needs no second hook, and one instance (whichever claims the
 * login first) delivers.
 */
@Injectable()
export class BackchannelLogoutService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(BackchannelLogoutService.name);
  private readonly timers = new Set<NodeJS.Timeout>();
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly logins: AppLoginsService,
    private readonly clients: ClientsService,
    private readonly tokens: IdTokenService,
    private readonly revocations: RevocationEvents,
  ) {}

  onModuleInit(): void {
    this.unsubscribe = this.revocations.subscribe((event) => {
      this.onRevocation(event).catch((error: unknown) =>
        this.logger.warn(`back-channel logout: ${String(error)}`),
      );
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  /** A session (`sid` of a session) or every session of a user (`user_before`) ended. */
  async onRevocation(event: Pick<RevocationEvent, 'kind' | 'subject' | 'at'>): Promise<void> {
    let ended: AppLogin[] = [];
    if (event.kind === 'sid') ended = await this.logins.ofSession(event.subject);
    else if (event.kind === 'user_before')
      ended = await this.logins.ofUser(event.subject, event.at);
    await Promise.all(ended.map((login) => this.endLogin(login)));
  }

  private async endLogin(login: AppLogin): Promise<void> {
    if (!(await this.logins.end(login, 'session_ended'))) return;
    const client = await this.clients.findActive(login.clientId);
    const uri = client?.backchannelLogoutUri;
    if (uri === null || uri === undefined) return;
    const token = await this.tokens.logoutToken({
      clientId: login.clientId,
      userId: login.userId,
      sid: login.familyId,
    });
    this.deliver(uri, token, 0);
  }

  private deliver(uri: string, token: string, attempt: number): void {
    void post(uri, token).then((delivered) => {
      if (delivered) return;
      const delay = BACKCHANNEL_RETRY_DELAYS_MS[attempt];
      if (delay === undefined) {
        this.logger.warn(`back-channel logout to ${uri} failed ${attempt + 1} times; giving up`);
        return;
      }
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        this.deliver(uri, token, attempt + 1);
      }, delay);
      timer.unref();
      this.timers.add(timer);
    });
  }
}

/** One delivery: a form post of `logout_token`; any 2xx is success (§2.8), anything else a failure. */
async function post(uri: string, token: string): Promise<boolean> {
  try {
    const response = await fetch(uri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: token }).toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
    });
    return response.status >= 200 && response.status < 300;
  } catch {
    return false;
  }
}
