import { html, type SafeHtml } from '../web/html';
import { layout } from '../web/layout';

/** Why the sign-up form came back: the `error` query parameter set by the form's error handler. */
export type SignupErrorCode =
  | 'invalid_request'
  | 'email_taken'
  | 'weak_password'
  | 'rate_limited'
  | 'csrf'
  | 'unavailable';

const SIGNUP_ERROR_CODES: readonly SignupErrorCode[] = [
  'invalid_request',
  'email_taken',
  'weak_password',
  'rate_limited',
  'csrf',
  'unavailable',
];

export function parseSignupError(value: unknown): SignupErrorCode | undefined {
  return SIGNUP_ERROR_CODES.find((code) => code === value);
}

/** Fixed texts only: nothing from the request is reflected into the message. */
export function signupErrorMessage(code: SignupErrorCode): string {
  switch (code) {
    case 'invalid_request':
      return 'Enter a valid email address and a password of 8 to 128 characters.';
    case 'email_taken':
      return 'An account with this email address already exists. Sign in instead.';
    case 'weak_password':
      return 'Choose a password of 8 to 128 characters that is not a commonly used one.';
    case 'rate_limited':
      return 'Too many accounts were created from your network. Please try again later.';
    case 'csrf':
      return 'The form expired. Please try again.';
    case 'unavailable':
      return 'Creating an account is not possible right now. Please try again shortly.';
  }
}

export interface SignupPageModel {
  csrfToken: string;
  error?: SignupErrorCode;
  /** The address typed before an error, put back in the field (escaped like every value). */
  email?: string;
}

/** `/signup`: name, email and password; errors inline (`role="alert"`); a link to sign in. */
export function signupPage(model: SignupPageModel): SafeHtml {
  const error = model.error
    ? html`<p class="alert" role="alert" id="signup-error">${signupErrorMessage(model.error)}</p>`
    : null;
  const describedBy = model.error ? html` aria-describedby="signup-error"` : null;
  return layout({
    title: 'Create an account',
    page: 'login',
    body: html`<section class="card">
      <h1>Create an account</h1>
      <p class="muted">One account for every app that signs in with Keycard.</p>
      ${error}
      <form method="post" action="/signup">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        <div class="field">
          <label for="name">Name <span class="muted small">(optional)</span></label>
          <input id="name" name="name" type="text" autocomplete="name" maxlength="100" />
        </div>
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
            ${describedBy}
          />
        </div>
        <div class="field">
          <label for="password">Password</label>
          <input
            id="password"
            name="password"
            type="password"
            autocomplete="new-password"
            required
            minlength="8"
            maxlength="128"
            aria-describedby="password-hint"
          />
          <p class="muted small" id="password-hint">8 to 128 characters.</p>
        </div>
        <button type="submit" class="button-block">Create account</button>
      </form>
      <p class="muted small">Already have an account? <a href="/login">Sign in</a></p>
    </section>`,
  });
}
