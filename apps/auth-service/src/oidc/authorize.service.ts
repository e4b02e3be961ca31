import { Inject, Injectable } from '@nestjs/common';
import { Clock } from '@keycard/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { ClientsService } from '../clients/clients.service';
import type { OAuthClientEntity } from '../clients/oauth-client.entity';
import { authConfig, AuthSettings } from '../config/auth.config';
import type { ActiveSession } from '../sessions/sessions.service';
import { AuthorizationCodesService } from './authorization-codes.service';
import {
  AuthorizationRequest,
  authorizationResponseUri,
  validateAuthorizeRequest,
} from './authorize-request';
import { ConsentsService } from './consents.service';
import { PendingRequest, PendingRequestsService } from './pending-requests.service';
import { sessionSignIn } from '../auth-context/sign-in-context';

/** What the browser gets next. */
export type AuthorizeStep =
  | { kind: 'error-page'; description: string }
  | { kind: 'redirect'; location: string }
  | { kind: 'login'; handle: string; client: OAuthClientEntity; request: AuthorizationRequest }
  | { kind: 'consent'; handle: string; client: OAuthClientEntity; request: AuthorizationRequest };

/**
 * The authorization endpoint's decisions (API.md section 5) after the request table: sign-in
 * (none, too old for `max_age`, or `prompt=login`), consent (apps that are not first-party, once
 * per user, app and scopes, or `prompt=consent`), then a code. `prompt=none` turns a needed
 * interaction into `login_required` / `consent_required`.
 */
@Injectable()
export class AuthorizeService {
  constructor(
    private readonly clients: ClientsService,
    private readonly codes: AuthorizationCodesService,
    private readonly consents: ConsentsService,
    private readonly pending: PendingRequestsService,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'issuer'>,
    private readonly audit: AuditService,
  ) {}

  /** A new authorization request (GET query or POST form). */
  async start(
    params: Record<string, unknown>,
    active: ActiveSession | null,
  ): Promise<AuthorizeStep> {
    const clientId = params['client_id'];
    const client = typeof clientId === 'string' ? await this.clients.findActive(clientId) : null;
    const verdict = validateAuthorizeRequest(params, client);
    if (verdict.kind === 'page') return { kind: 'error-page', description: verdict.description };
    if (verdict.kind === 'redirect') {
      return this.errorRedirect(
        verdict.redirectUri,
        verdict.state,
        verdict.error,
        verdict.description,
      );
    }
    return this.proceed({ request: verdict.request }, active, false);
  }

  /** Back from the sign-in form. */
  async resume(handle: unknown, active: ActiveSession | null): Promise<AuthorizeStep> {
    const entry = await this.pending.take(handle);
    if (entry === undefined) {
      return {
        kind: 'error-page',
        description: 'This sign-in request has expired; start again from the app',
      };
    }
    return this.proceed(entry, active, false);
  }

  /** The consent form's answer; the session's CSRF token was checked by the caller. */
  async decide(handle: unknown, active: ActiveSession, allow: boolean): Promise<AuthorizeStep> {
    const entry = await this.pending.take(handle);
    if (entry === undefined) {
      return {
        kind: 'error-page',
        description: 'This consent request has expired; start again from the app',
      };
    }
    const { request } = entry;
    if (!allow) {
      return this.errorRedirect(
        request.redirectUri,
        request.state,
        'access_denied',
        'The user denied access',
      );
    }
    await this.consents.grant(active.user.id, request.clientId, request.scopes);
    void this.audit.record({
      type: AuditEventType.OidcConsentGranted,
      outcome: 'success',
      actor: { type: 'user', id: active.user.id },
      subjectId: request.clientId,
      details: { scopes: request.scopes },
    });
    return this.proceed(entry, active, true);
  }

  private async proceed(
    entry: PendingRequest,
    active: ActiveSession | null,
    consented: boolean,
  ): Promise<AuthorizeStep> {
    const { request } = entry;
    const client = await this.clients.findActive(request.clientId);
    if (client === null)
      return { kind: 'error-page', description: 'This app is no longer registered' };
    if (active === null || this.needsSignIn(entry, active)) {
      if (request.prompt.includes('none')) return this.interactionError(request, 'login_required');
      const handle = await this.pending.save({ request, loginAfter: this.clock.now() });
      return { kind: 'login', handle, client, request };
    }
    if (!consented && (await this.needsConsent(client, request, active))) {
      if (request.prompt.includes('none'))
        return this.interactionError(request, 'consent_required');
      const handle = await this.pending.save({ request, loginAfter: entry.loginAfter });
      return { kind: 'consent', handle, client, request };
    }
    return this.issueCode(request, active);
  }

  /** A sign-in made for this request satisfies it; otherwise `prompt=login` and `max_age` decide. */
  private needsSignIn(entry: PendingRequest, active: ActiveSession): boolean {
    const { authTime } = sessionSignIn(active.session);
    if (entry.loginAfter !== undefined) return authTime < entry.loginAfter;
    const { prompt, maxAge } = entry.request;
    if (prompt.includes('login')) return true;
    return maxAge !== undefined && this.clock.now() - authTime >= maxAge * 1000;
  }

  private async needsConsent(
    client: OAuthClientEntity,
    request: AuthorizationRequest,
    active: ActiveSession,
  ): Promise<boolean> {
    if (client.firstParty) return false;
    if (request.prompt.includes('consent')) return true;
    return !(await this.consents.covers(active.user.id, client.clientId, request.scopes));
  }

  private async issueCode(
    request: AuthorizationRequest,
    active: ActiveSession,
  ): Promise<AuthorizeStep> {
    const code = await this.codes.issue({
      request,
      userId: active.user.id,
      sessionId: active.session.id,
      signIn: sessionSignIn(active.session),
    });
    void this.audit.record({
      type: AuditEventType.OidcCodeIssued,
      outcome: 'success',
      actor: { type: 'user', id: active.user.id },
      subjectId: request.clientId,
      details: { scope: request.scopes.join(' ') },
    });
    const location = authorizationResponseUri(request.redirectUri, this.config.issuer, {
      code,
      state: request.state,
    });
    return { kind: 'redirect', location };
  }

  private interactionError(request: AuthorizationRequest, error: string): AuthorizeStep {
    const description =
      error === 'login_required' ? 'The user is not signed in' : 'The user has not consented';
    return this.errorRedirect(request.redirectUri, request.state, error, description);
  }

  private errorRedirect(
    redirectUri: string,
    state: string | undefined,
    error: string,
    description: string,
  ): AuthorizeStep {
    const location = authorizationResponseUri(redirectUri, this.config.issuer, {
      error,
      error_description: description,
      state,
    });
    return { kind: 'redirect', location };
  }
}
