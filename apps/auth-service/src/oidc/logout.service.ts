import { Inject, Injectable } from '@nestjs/common';
import { decode, verify } from 'jsonwebtoken';
import { Clock } from '@keycard/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { KeysService } from '../keys/keys.service';
import type { ActiveSession } from '../sessions/sessions.service';
import { SessionsService } from '../sessions/sessions.service';
import { authorizationResponseUri } from './authorize-request';
import { BackchannelLogoutService } from './backchannel-logout.service';

/** What `/oauth/logout` does next. */
export type LogoutStep =
  | { kind: 'error-page'; description: string }
  | { kind: 'redirect'; location: string; ended: boolean }
  | { kind: 'confirm'; appName: string | null; params: LogoutParams };

export interface LogoutParams {
  clientId?: string;
  postLogoutRedirectUri?: string;
  state?: string;
}

interface Hint {
  clientId: string;
  sub: string;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' && value.length <= 4096 ? value : undefined;
}

/**
 * RP-initiated logout 1.0 (API.md section 5). The app may only name a `post_logout_redirect_uri`
 * registered for it (an open redirect otherwise), and without a valid `id_token_hint` of the
 * signed-in user the user confirms first, so no other site can sign them out.
 */
@Injectable()
export class LogoutService {
  constructor(
    private readonly clients: ClientsService,
    private readonly keys: KeysService,
    private readonly sessions: SessionsService,
    private readonly backchannel: BackchannelLogoutService,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'issuer'>,
    private readonly audit: AuditService,
  ) {}

  /** `GET /oauth/logout`. */
  async request(query: Record<string, unknown>, active: ActiveSession | null): Promise<LogoutStep> {
    const hint = await this.verifyHint(text(query['id_token_hint']));
    const params: LogoutParams = {
      clientId: hint?.clientId ?? text(query['client_id']),
      postLogoutRedirectUri: text(query['post_logout_redirect_uri']),
      state: text(query['state']),
    };
    const clientIdParam = text(query['client_id']);
    if (hint !== undefined && clientIdParam !== undefined && clientIdParam !== hint.clientId) {
      return { kind: 'error-page', description: 'client_id does not match the id_token_hint' };
    }
    const target = await this.target(params);
    if (typeof target !== 'string') return target;
    if (active === null) return { kind: 'redirect', location: target, ended: false };
    if (hint !== undefined && hint.sub === active.user.id) {
      await this.end(active);
      return { kind: 'redirect', location: target, ended: true };
    }
    const client =
      params.clientId === undefined ? null : await this.clients.findActive(params.clientId);
    return { kind: 'confirm', appName: client?.name ?? null, params };
  }

  /** The confirmation form's post (its CSRF token checked by the caller). */
  async confirm(form: Record<string, unknown>, active: ActiveSession | null): Promise<LogoutStep> {
    const params: LogoutParams = {
      clientId: text(form['client_id']),
      postLogoutRedirectUri: text(form['post_logout_redirect_uri']),
      state: text(form['state']),
    };
    const target = await this.target(params);
    if (typeof target !== 'string') return target;
    if (active !== null) await this.end(active);
    return { kind: 'redirect', location: target, ended: active !== null };
  }

  /** Where to go afterwards: the app's registered URI (with `state`), or Keycard's sign-in page. */
  private async target(params: LogoutParams): Promise<string | LogoutStep> {
    const uri = params.postLogoutRedirectUri;
    if (uri === undefined) return '/login?signed_out=1';
    const client =
      params.clientId === undefined ? null : await this.clients.findActive(params.clientId);
    if (client === null || !client.postLogoutRedirectUris.includes(uri)) {
      return {
        kind: 'error-page',
        description: 'post_logout_redirect_uri is not registered for this app',
      };
    }
    const url = new URL(authorizationResponseUri(uri, this.config.issuer, { state: params.state }));
    url.searchParams.delete('iss');
    return url.href;
  }

  /** Ends the session and, at once, the app logins it started (the apps are told). */
  private async end(active: ActiveSession): Promise<void> {
    await this.sessions.end(active.session);
    await this.backchannel.onRevocation({
      kind: 'sid',
      subject: active.session.id,
      at: this.clock.now(),
    });
    void this.audit.record({
      type: AuditEventType.OidcLogout,
      outcome: 'success',
      actor: { type: 'user', id: active.user.id },
      subjectId: active.session.id,
    });
  }

  /** The hint's app and user when it is an ID token we signed (expired ones too: §2 allows it). */
  private async verifyHint(token: string | undefined): Promise<Hint | undefined> {
    if (token === undefined) return undefined;
    const decoded = decode(token, { complete: true });
    const kid = decoded?.header.kid;
    if (decoded === null || kid === undefined || decoded.header.alg !== 'RS256') return undefined;
    const key = await this.keys.getVerificationKey(kid);
    if (key === undefined) return undefined;
    try {
      const claims = verify(token, key, {
        algorithms: ['RS256'],
        issuer: this.config.issuer,
        ignoreExpiration: true,
      });
      if (
        typeof claims === 'string' ||
        typeof claims.aud !== 'string' ||
        typeof claims.sub !== 'string'
      ) {
        return undefined;
      }
      return { clientId: claims.aud, sub: claims.sub };
    } catch {
      return undefined;
    }
  }
}
