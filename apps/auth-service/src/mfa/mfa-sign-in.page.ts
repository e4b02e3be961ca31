import type { SafeHtml } from '../web/html';
import { html } from '../web/html';
import { layout } from '../web/layout';

/** Why the second step came back (the `error` query parameter). */
export type MfaStepError = 'invalid_code' | 'rate_limited' | 'expired' | 'csrf' | 'passkey';

const ERRORS: readonly MfaStepError[] = [
  'invalid_code',
  'rate_limited',
  'expired',
  'csrf',
  'passkey',
];

export function parseMfaStepError(value: unknown): MfaStepError | undefined {
  return ERRORS.find((code) => code === value);
}

/** Fixed texts only: nothing from the request is reflected. */
function message(code: MfaStepError, retryAfterSeconds?: number): string {
  switch (code) {
    case 'invalid_code':
      return 'That code is not right. Enter the current code of your authenticator app, or a recovery code.';
    case 'rate_limited':
      return retryAfterSeconds && retryAfterSeconds < 90
        ? `Too many wrong codes. Please try again in ${retryAfterSeconds} seconds.`
        : `Too many wrong codes. Please try again in ${Math.ceil((retryAfterSeconds ?? 900) / 60)} minutes.`;
    case 'expired':
      return 'This sign-in took too long. Please sign in again.';
    case 'csrf':
      return 'The form expired. Please try again.';
    case 'passkey':
      return 'The passkey could not be used. Try again, or enter a code.';
  }
}

export interface MfaStepModel {
  csrfToken: string;
  methods: string[];
  error?: MfaStepError;
  retryAfterSeconds?: number;
}

/** `/login/mfa`: the second step of the sign-in page (a code, or a passkey). */
export function mfaStepPage(model: MfaStepModel): SafeHtml {
  const error = model.error
    ? html`<p class="alert" role="alert" id="mfa-error">
        ${message(model.error, model.retryAfterSeconds)}
      </p>`
    : null;
  const passkey = model.methods.includes('passkey')
    ? html`<div class="divider">or</div>
        <button
          type="button"
          class="button-secondary button-block"
          id="passkey-second-factor"
          data-csrf="${model.csrfToken}"
        >
          Use a passkey
        </button>
        <script src="/assets/passkeys.js" defer></script>`
    : null;
  return layout({
    title: 'Second step',
    page: 'login',
    scripts: model.methods.includes('passkey') ? ['/assets/passkeys.js'] : [],
    body: html`<section class="card">
      <h1>Confirm it is you</h1>
      <p class="muted">
        Enter the 6-digit code from your authenticator app, or one of your recovery codes.
      </p>
      ${error}
      <form method="post" action="/session/login/mfa">
        <input type="hidden" name="_csrf" value="${model.csrfToken}" />
        <div class="field">
          <label for="code">Code</label>
          <input
            id="code"
            name="code"
            type="text"
            inputmode="text"
            autocomplete="one-time-code"
            autocapitalize="none"
            spellcheck="false"
            required
            maxlength="32"
            autofocus
            ${model.error ? html`aria-describedby="mfa-error"` : null}
          />
        </div>
        <button type="submit" class="button-block">Continue</button>
      </form>
      ${passkey}
      <p class="muted small"><a href="/login">Start over</a></p>
    </section>`,
  });
}

/** The sign-in page's way to a passkey (its own page: `/login` itself runs no script). */
export function passkeySignInLink(): SafeHtml {
  return html`<div class="divider">or</div>
    <a class="button button-secondary button-block" href="/login/passkey"
      >Sign in with a passkey</a
    >`;
}

/** `/login/passkey`: signing in with a passkey alone (`/assets/passkeys.js` does the ceremony). */
export function passkeySignInPage(): SafeHtml {
  return layout({
    title: 'Sign in with a passkey',
    page: 'login',
    scripts: ['/assets/passkeys.js'],
    body: html`<section class="card">
      <h1>Sign in with a passkey</h1>
      <p class="muted">Use your device's screen lock or a security key.</p>
      <button type="button" class="button-block" id="passkey-sign-in">
        Sign in with a passkey
      </button>
      <p class="alert" role="alert" id="passkey-status" hidden></p>
      <p class="muted small"><a href="/login">Sign in with your password instead</a></p>
    </section>`,
  });
}
