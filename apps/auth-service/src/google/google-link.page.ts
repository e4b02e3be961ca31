import type { SafeHtml } from '../web/html';
import { html } from '../web/html';
import { layout } from '../web/layout';
import type { LoginErrorCode } from '../auth/login.page';
import { loginErrorMessage } from '../auth/login.page';

export interface LinkPageModel {
  /** The existing account's address (the one the Google account also has). */
  email: string;
  csrfToken: string;
  error?: LoginErrorCode;
  retryAfterSeconds?: number;
}

/** Fixed texts only: nothing from the request is reflected into the message. */
function errorMessage(code: LoginErrorCode, retryAfterSeconds?: number): string {
  return code === 'invalid_credentials'
    ? 'That is not the password of this account. Nothing was linked.'
    : loginErrorMessage(code, retryAfterSeconds);
}

/**
 * `/auth/google/link`: an account with the Google account's address exists, but nobody has
 * proven that address is theirs, so its password is asked before Google is linked to it.
 */
export function linkPage(model: LinkPageModel): SafeHtml {
  const error = model.error
    ? html`<p class="alert" role="alert" id="link-error">
        ${errorMessage(model.error, model.retryAfterSeconds)}
      </p>`
    : null;
  const describedBy = model.error ? html` aria-describedby="link-error"` : null;
  return layout({
    title: 'Link your Google account',
    page: 'login',
    body: html`<section class="card">
      <h1>Link your Google account</h1>
      <p class="muted">
        A Keycard account with the address <strong>${model.email}</strong> already exists. If it is
        yours, enter its password to link Google to it. Until then nothing is linked and nobody is
        signed in.
      </p>
      ${error}
      <form method="post" action="/auth/google/link">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        <div class="field">
          <label for="password">Password of this account</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            maxlength="128"
            autofocus${describedBy}
          />
        </div>
        <button type="submit" class="button-block">Link and sign in</button>
      </form>
      <a class="button button-secondary button-block" href="/login">Cancel</a>
    </section>`,
  });
}
