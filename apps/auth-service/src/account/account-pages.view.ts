import type { HtmlValue, SafeHtml } from '../web/html';
import { html } from '../web/html';
import { layout } from '../web/layout';

/*
 * The public pages of the account flows: forgot and reset password, verify an address, ask for a
 * new verification link. A link from a mail opens a page whose button posts the action, so a
 * mail scanner that fetches the link changes nothing. Messages are fixed texts: nothing from the
 * request is reflected except the token, escaped, in a hidden field.
 */

export type AccountFormError =
  | 'rate_limited'
  | 'invalid_request'
  | 'csrf'
  | 'unavailable'
  | 'weak_password';

const FORM_ERRORS: Record<AccountFormError, string> = {
  rate_limited: 'Too many requests for this address or from your network. Please try again later.',
  invalid_request: 'Enter a valid email address.',
  csrf: 'The form expired. Please try again.',
  unavailable: 'This is not possible right now. Please try again shortly.',
  weak_password:
    'Choose a password of 8 to 128 characters that is not a commonly used one (like "password1").',
};

export function parseAccountFormError(value: unknown): AccountFormError | undefined {
  return (Object.keys(FORM_ERRORS) as AccountFormError[]).find((code) => code === value);
}

function alert(error: AccountFormError | undefined): SafeHtml | null {
  return error
    ? html`<p class="alert" role="alert" id="form-error">${FORM_ERRORS[error]}</p>`
    : null;
}

function card(title: string, body: HtmlValue): SafeHtml {
  return layout({ title, page: 'login', body: html`<section class="card">${body}</section>` });
}

function emailField(error: AccountFormError | undefined): SafeHtml {
  const describedBy = error ? html` aria-describedby="form-error"` : null;
  return html`<div class="field">
    <label for="email">Email address</label>
    <input
      id="email"
      name="email"
      type="email"
      autocomplete="username"
      inputmode="email"
      autocapitalize="none"
      spellcheck="false"
      required
      maxlength="254"
      autofocus${describedBy}
    />
  </div>`;
}

const SENT = html`<p class="notice" role="status">
  If an account uses that address, a message with a link is on its way. Check your inbox.
</p>`;

/** `/forgot-password`: one field; the same answer whether or not the address has an account. */
export function forgotPasswordPage(model: {
  csrfToken: string;
  sent?: boolean;
  error?: AccountFormError;
}): SafeHtml {
  return card(
    'Forgot your password',
    html`<h1>Forgot your password?</h1>
      <p class="muted">
        Enter the address of your account and we will mail you a link to choose a new password.
      </p>
      ${model.sent ? SENT : null}${alert(model.error)}
      <form method="post" action="/forgot-password">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        ${emailField(model.error)}
        <button type="submit" class="button-block">Send me a link</button>
      </form>
      <p class="muted small"><a href="/login">Back to sign in</a></p>`,
  );
}

/** `/reset-password?token=…`: the new password; the token travels in a hidden field. */
export function resetPasswordPage(model: {
  csrfToken: string;
  token: string;
  error?: AccountFormError;
}): SafeHtml {
  const describedBy = model.error ? 'form-error password-hint' : 'password-hint';
  return card(
    'Choose a new password',
    html`<h1>Choose a new password</h1>
      ${alert(model.error)}
      <form method="post" action="/reset-password">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        <input type="hidden" name="token" value="${model.token}" />
        <div class="field">
          <label for="password">New password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minlength="8"
            maxlength="128"
            autofocus
            aria-describedby="${describedBy}"
          />
          <p class="muted small" id="password-hint">
            8 to 128 characters, not a commonly used password. Saving it signs you out everywhere.
          </p>
        </div>
        <button type="submit" class="button-block">Save the new password</button>
      </form>`,
  );
}

export function resetDonePage(): SafeHtml {
  return card(
    'Password changed',
    html`<h1>Your password has been changed</h1>
      <p role="status">You have been signed out everywhere. Sign in with your new password.</p>
      <a class="button button-block" href="/login">Sign in</a>`,
  );
}

/** An unknown, used or expired link, with the way to a new one. */
export function invalidLinkPage(kind: 'reset' | 'verify'): SafeHtml {
  const retry =
    kind === 'reset'
      ? html`<a class="button button-block" href="/forgot-password">Send me a new link</a>`
      : html`<a class="button button-block" href="/verify-email">Send me a new link</a>`;
  return card(
    'Link not valid',
    html`<h1>This link is not valid</h1>
      <p role="alert">It may have been used already, replaced by a newer one, or have expired.</p>
      ${retry}`,
  );
}

/** `/verify-email?token=…`: nothing happens until the button is pressed. */
export function verifyEmailPage(model: { csrfToken: string; token: string }): SafeHtml {
  return card(
    'Verify your email address',
    html`<h1>Verify your email address</h1>
      <p class="muted">
        Press the button to confirm that this address belongs to your Keycard account.
      </p>
      <form method="post" action="/verify-email">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        <input type="hidden" name="token" value="${model.token}" />
        <button type="submit" class="button-block">Verify my address</button>
      </form>`,
  );
}

export function verifyDonePage(): SafeHtml {
  return card(
    'Address verified',
    html`<h1>Your address is verified</h1>
      <p role="status">Thank you. You can now use your account with this address.</p>
      <a class="button button-block" href="/account">Go to your account</a>`,
  );
}

/** `/verify-email` without a token: ask for a new verification link. */
export function resendVerificationPage(model: {
  csrfToken: string;
  sent?: boolean;
  error?: AccountFormError;
}): SafeHtml {
  return card(
    'Verify your email address',
    html`<h1>Get a new verification link</h1>
      <p class="muted">Enter the address of your account and we will mail you a new link.</p>
      ${model.sent ? SENT : null}${alert(model.error)}
      <form method="post" action="/verify-email/resend">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        ${emailField(model.error)}
        <button type="submit" class="button-block">Send me a link</button>
      </form>
      <p class="muted small"><a href="/login">Back to sign in</a></p>`,
  );
}
