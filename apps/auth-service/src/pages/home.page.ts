import { html, type SafeHtml } from '../web/html';
import { layout } from '../web/layout';

export interface HomePageModel {
  /** The signed-in user's address, when there is a browser session. */
  signedInAs?: string;
}

/** `/`: what this service is, and where to go from here. */
export function homePage(model: HomePageModel): SafeHtml {
  const next = model.signedInAs
    ? html`<p>Signed in as <strong>${model.signedInAs}</strong>.</p>
        <p><a class="button button-block" href="/account">Your account</a></p>`
    : html`<p><a class="button button-block" href="/login">Sign in</a></p>
        <p>
          <a class="button button-secondary button-block" href="/signup">Create an account</a>
        </p>`;
  return layout({
    title: 'Keycard',
    page: 'login',
    body: html`<section class="card">
      <h1>Keycard</h1>
      <p class="muted">
        The sign-in service for this organisation's apps: accounts, sessions, API keys and tokens.
      </p>
      ${next}
      <h2>For developers and operators</h2>
      <ul>
        <li><a href="/docs">API explorer</a> (OpenAPI)</li>
        <li><a href="/.well-known/openid-configuration">OpenID configuration</a> and its JWKS</li>
        <li><a href="/admin">Admin console</a> (administrators)</li>
      </ul>
    </section>`,
  });
}
