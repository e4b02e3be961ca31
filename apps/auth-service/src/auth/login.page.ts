import type { SafeHtml } from '../web/html';
import { html } from '../web/html';
import { layout } from '../web/layout';
import { passkeySignInLink } from '../mfa/mfa-sign-in.page';

/** Why the sign-in form came back: the `error` query parameter set by the form's error handler. */
export type LoginErrorCode =
  | 'invalid_credentials'
  | 'rate_limited'
  | 'csrf'
  | 'invalid_request'
  | 'unavailable'
  | 'email_not_verified';

export interface LoginPageModel {
  csrfToken: string;
  error?: LoginErrorCode;
  /** For `rate_limited`: seconds until the next attempt is allowed. */
  retryAfterSeconds?: number;
  signedOut?: boolean;
  googleEnabled: boolean;
  /** Where a Google sign-in comes back to (a page of ours), when not `/account`. */
  googleReturnTo?: string;
  /** The address typed before an error, put back in the field (escaped like every value). */
  email?: string;
}

const LOGIN_ERROR_CODES: readonly LoginErrorCode[] = [
  'invalid_credentials',
  'rate_limited',
  'csrf',
  'invalid_request',
  'unavailable',
  'email_not_verified',
];

export function parseLoginError(value: unknown): LoginErrorCode | undefined {
  return LOGIN_ERROR_CODES.find((code) => code === value);
}

/** The `retry` query parameter set with `rate_limited`: whole seconds, or undefined. */
export function parseRetrySeconds(value: unknown): number | undefined {
  return typeof value === 'string' && /^\d{1,6}$/.test(value) ? Number(value) : undefined;
}

function waitText(seconds: number | undefined): string {
  if (seconds === undefined || seconds <= 0) return 'Please wait a while before trying again.';
  if (seconds < 90) return `Please try again in ${seconds} seconds.`;
  return `Please try again in ${Math.ceil(seconds / 60)} minutes.`;
}

/** Fixed texts only: nothing from the request is ever reflected into the message. */
export function loginErrorMessage(code: LoginErrorCode, retryAfterSeconds?: number): string {
  switch (code) {
    case 'invalid_credentials':
      return 'That email and password do not match an account. Check them and try again.';
    case 'rate_limited':
      return `Too many sign-in attempts. ${waitText(retryAfterSeconds)}`;
    case 'csrf':
      return 'The sign-in form expired. Please try again.';
    case 'invalid_request':
      return 'Enter your email address and your password.';
    case 'unavailable':
      return 'Signing in is not possible right now. Please try again shortly.';
    case 'email_not_verified':
      return 'Verify your email address first: use the link we mailed you, or ask for a new one below.';
  }
}

function googleButton(enabled: boolean, returnTo: string | undefined): SafeHtml | null {
  if (!enabled) return null;
  const href =
    returnTo === undefined
      ? '/auth/google'
      : `/auth/google?returnTo=${encodeURIComponent(returnTo)}`;
  return html`<div class="divider">or</div>
    <a class="button button-secondary button-block" href="${href}">Sign in with Google</a>`;
}

/** `/login`: email and password, errors inline (`role="alert"`), Google when configured. */
export function loginPage(model: LoginPageModel): SafeHtml {
  const error = model.error
    ? html`<p class="alert" role="alert" id="login-error">
        ${loginErrorMessage(model.error, model.retryAfterSeconds)}
      </p>`
    : null;
  const notice =
    model.signedOut && !model.error
      ? html`<p class="notice" role="status">You have been signed out.</p>`
      : null;
  const describedBy = model.error ? html` aria-describedby="login-error"` : null;
  return layout({
    title: 'Sign in',
    page: 'login',
    body: html`<section class="card">
      <h1>Sign in</h1>
      <p class="muted">Use your Keycard account.</p>
      ${notice}${error}
      <form method="post" action="/session/login">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        <div class="field">
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
            value="${model.email ?? ''}"
            ${model.email ? null : html`autofocus`}${describedBy}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="current-password"
            required
            maxlength="128"
            ${model.email ? html`autofocus` : null}${describedBy}
          />
        </div>
        <button type="submit" class="button-block">Sign in</button>
      </form>
      <p class="muted small">
        <a href="/forgot-password">Forgot your password?</a>${model.error === 'email_not_verified'
          ? html` · <a href="/verify-email">Send a new verification link</a>`
          : null}
      </p>
      ${passkeySignInLink()} ${googleButton(model.googleEnabled, model.googleReturnTo)}
      <p class="muted small">New here? <a href="/signup">Create an account</a></p>
    </section>`,
  });
}
