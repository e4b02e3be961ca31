import { formatTime } from '../web/format';
import type { SafeHtml } from '../web/html';
import { html, pathSegment } from '../web/html';
import { layout } from '../web/layout';
import { scopeDescription } from './oidc.pages';

export interface ConnectedApp {
  clientId: string;
  name: string;
  scopes: string[];
  since: number;
}

export interface ConnectedAppsPageModel {
  email: string;
  csrfToken: string;
  apps: ConnectedApp[];
  removed: boolean;
}

/** The link on `/account` (next to the other account sections). */
export function connectedAppsLinkSection(): SafeHtml {
  return html`<section class="card" aria-labelledby="apps-title">
    <h2 id="apps-title">Connected apps</h2>
    <p>Apps you allowed to sign you in with Keycard.</p>
    <a class="button button-secondary" href="/account/apps">Connected apps</a>
  </section>`;
}

function appItem(app: ConnectedApp, csrfToken: string): SafeHtml {
  const scopes = app.scopes.map((scope) => html`<li>${scopeDescription(scope)}</li>`);
  return html`<li class="item" data-client-id="${app.clientId}">
    <div class="item-main">
      <div class="item-title">${app.name}</div>
      <div class="item-meta">allowed ${formatTime(app.since)}</div>
      <ul class="small">
        ${scopes}
      </ul>
    </div>
    <div class="item-actions">
      <form method="post" action="/account/apps/${pathSegment(app.clientId)}/remove">
        <input type="hidden" name="_csrf" value="${csrfToken}" />
        <button type="submit" class="button-danger button-small" aria-label="Remove ${app.name}">
          Remove
        </button>
      </form>
    </div>
  </li>`;
}

/** `/account/apps`: what each app may see; removing one signs it out and forgets the consent. */
export function connectedAppsPage(model: ConnectedAppsPageModel): SafeHtml {
  const list =
    model.apps.length === 0
      ? html`<p class="muted">No app has access to your account.</p>`
      : html`<ul class="list">
          ${model.apps.map((app) => appItem(app, model.csrfToken))}
        </ul>`;
  const notice = model.removed
    ? html`<p class="notice" role="status">The app was removed and signed out.</p>`
    : null;
  return layout({
    title: 'Connected apps',
    page: 'account',
    signedIn: { email: model.email, csrfToken: model.csrfToken },
    body: html`<h1>Connected apps</h1>
      ${notice}
      <section class="card" aria-labelledby="apps-title">
        <h2 id="apps-title">Apps with access</h2>
        ${list}
      </section>
      <p><a href="/account">Back to your account</a></p>`,
  });
}
