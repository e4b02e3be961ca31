import type { FastifyReply } from 'fastify';
import { errorPage } from '../web/error.page';
import type { SafeHtml } from '../web/html';
import { html } from '../web/html';
import { layout } from '../web/layout';
import { sendPage } from '../web/page-response';

/** What each scope means to the person asked, in plain words; API scopes are listed as they are. */
const SCOPE_TEXT: Record<string, string> = {
  openid: 'Know who you are on Keycard',
  profile: 'See your name',
  email: 'See your email address and whether it is verified',
  offline_access: 'Stay signed in when you are away',
};

export function scopeDescription(scope: string): string {
  return SCOPE_TEXT[scope] ?? `Use the API permission “${scope}”`;
}

/**
 * The pages' policy, except that a form may also lead to `redirectOrigin`: after the sign-in or
 * consent form, the browser follows redirects to the app, and browsers apply `form-action` to
 * every step of that chain.
 */
export function sendInteractionPage(
  response: FastifyReply,
  page: SafeHtml,
  redirectUri: string,
  status = 200,
): void {
  sendPage(response, page, status, new URL(redirectUri).origin);
}

/** 400: the request cannot be answered to the app (unknown app or redirect URI), so it is told here. */
export function sendAuthorizeErrorPage(response: FastifyReply, description: string): void {
  sendPage(
    response,
    errorPage({ status: 400, title: 'This sign-in request cannot be used', message: description }),
    400,
  );
}

export interface ConsentPageModel {
  appName: string;
  email: string;
  scopes: string[];
  handle: string;
  csrfToken: string;
}

/** "App X wants to …": allow or deny, posted with the session's CSRF token. */
export function consentPage(model: ConsentPageModel): SafeHtml {
  const items = model.scopes.map((scope) => html`<li>${scopeDescription(scope)}</li>`);
  return layout({
    title: `Allow ${model.appName}?`,
    page: 'login',
    body: html`<section class="card">
      <h1>Allow ${model.appName}?</h1>
      <p class="muted">Signed in as ${model.email}. ${model.appName} asks to:</p>
      <ul>
        ${items}
      </ul>
      <form method="post" action="/oauth/authorize/consent">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        <input type="hidden" name="request" value="${model.handle}" />
        <button type="submit" name="decision" value="allow" class="button-block">Allow</button>
        <button type="submit" name="decision" value="deny" class="button-secondary button-block">
          Deny
        </button>
      </form>
    </section>`,
  });
}

export interface LogoutPageModel {
  appName: string | null;
  csrfToken: string;
  clientId?: string;
  postLogoutRedirectUri?: string;
  state?: string;
}

/** RP-initiated logout without a valid `id_token_hint`: the user confirms, so no page can sign them out. */
export function logoutConfirmPage(model: LogoutPageModel): SafeHtml {
  const hidden = (name: string, value: string | undefined) =>
    value === undefined ? null : html`<input type="hidden" name="${name}" value="${value}" />`;
  return layout({
    title: 'Sign out?',
    page: 'login',
    body: html`<section class="card">
      <h1>Sign out of Keycard?</h1>
      <p class="muted">
        ${model.appName === null ? 'An app' : model.appName} asks to sign you out of Keycard.
      </p>
      <form method="post" action="/oauth/logout">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        ${hidden('client_id', model.clientId)}
        ${hidden('post_logout_redirect_uri', model.postLogoutRedirectUri)}
        ${hidden('state', model.state)}
        <button type="submit" class="button-block">Sign out</button>
      </form>
      <a class="button button-secondary button-block" href="/account">Stay signed in</a>
    </section>`,
  });
}
