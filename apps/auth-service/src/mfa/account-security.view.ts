import type { SafeHtml } from '../web/html';
import { html, pathSegment } from '../web/html';
import { layout } from '../web/layout';
import type { MfaStatus } from './mfa.service';
import type { PasskeyView } from './passkeys.service';
import type { TotpEnrolment } from './totp-factors.service';

export interface SecurityPageModel {
  email: string;
  csrfToken: string;
  status: MfaStatus;
  passkeys: PasskeyView[];
  /** A started, unconfirmed authenticator app: its QR code (SVG markup from `qrcode`) and secret. */
  pending?: TotpEnrolment & { qrSvg: SafeHtml };
  notice?: string;
  error?: string;
}

const csrf = (token: string) => html`<input type="hidden" name="_csrf" value="${token}" />`;

function totpSection(model: SecurityPageModel): SafeHtml {
  if (model.pending) {
    return html`<section class="card" id="totp-enrol">
      <h2>Set up your authenticator app</h2>
      <p>Scan this code with your authenticator app, or type the key in.</p>
      <div class="qr" aria-hidden="true">${model.pending.qrSvg}</div>
      <p>Key: <code id="totp-secret">${model.pending.secret}</code></p>
      <form method="post" action="/account/security/totp/confirm">
        ${csrf(model.csrfToken)}
        <div class="field">
          <label for="totp-code">Code from the app</label>
          <input
            id="totp-code"
            name="code"
            inputmode="numeric"
            autocomplete="one-time-code"
            pattern="[0-9 ]*"
            maxlength="8"
            required
          />
        </div>
        <button type="submit">Confirm</button>
      </form>
    </section>`;
  }
  if (model.status.totp) {
    return html`<section class="card" id="totp">
      <h2>Authenticator app</h2>
      <p>On: sign-ins ask for a code from your app.</p>
      <form method="post" action="/account/security/totp/remove">
        ${csrf(model.csrfToken)}
        <div class="field">
          <label for="remove-password">Your password, to remove it</label>
          <input
            id="remove-password"
            name="password"
            type="password"
            autocomplete="current-password"
            maxlength="128"
            required
          />
        </div>
        <button type="submit" class="button-danger">Remove the authenticator app</button>
      </form>
    </section>`;
  }
  return html`<section class="card" id="totp">
    <h2>Authenticator app</h2>
    <p>
      Off. Add an app such as a password manager or an authenticator to ask for a code at sign-in.
    </p>
    <form method="post" action="/account/security/totp">
      ${csrf(model.csrfToken)}
      <button type="submit" id="totp-start">Set up an authenticator app</button>
    </form>
  </section>`;
}

function passkeyRow(passkey: PasskeyView, csrfToken: string): SafeHtml {
  return html`<li>
    <strong>${passkey.name}</strong>
    <span class="muted small"
      >added
      ${passkey.createdAt.slice(0, 10)}${passkey.lastUsedAt
        ? `, last used ${passkey.lastUsedAt.slice(0, 10)}`
        : ''}</span
    >
    <form method="post" action="/account/security/passkeys/${pathSegment(passkey.id)}/remove">
      ${csrf(csrfToken)}
      <button type="submit" class="button-secondary">Remove</button>
    </form>
  </li>`;
}

function passkeysSection(model: SecurityPageModel): SafeHtml {
  const list =
    model.passkeys.length === 0
      ? html`<p class="muted">No passkeys yet.</p>`
      : html`<ul class="passkeys">
          ${model.passkeys.map((p) => passkeyRow(p, model.csrfToken))}
        </ul>`;
  return html`<section class="card" id="passkeys">
    <h2>Passkeys</h2>
    <p>Sign in with your device's screen lock or a security key, with or without a password.</p>
    ${list}
    <form id="passkey-register" data-csrf="${model.csrfToken}">
      <div class="field">
        <label for="passkey-name">Name of the new passkey</label>
        <input id="passkey-name" name="name" maxlength="100" required value="My passkey" />
      </div>
      <button type="submit">Add a passkey</button>
    </form>
    <p class="notice" role="status" id="passkey-status" hidden></p>
    <pre id="passkey-recovery-codes" hidden></pre>
  </section>`;
}

function recoverySection(model: SecurityPageModel): SafeHtml | null {
  if (!model.status.totp && model.status.passkeys === 0) return null;
  return html`<section class="card" id="recovery">
    <h2>Recovery codes</h2>
    <p>
      <span id="recovery-left">${model.status.recoveryCodesLeft}</span> of 10 left. Each works once,
      if you lose your app or passkeys.
    </p>
    <form method="post" action="/account/security/recovery-codes">
      ${csrf(model.csrfToken)}
      <button type="submit" class="button-secondary">Make new recovery codes</button>
    </form>
  </section>`;
}

/** `/account/security`: the user's second factors. */
export function securityPage(model: SecurityPageModel): SafeHtml {
  return layout({
    title: 'Sign-in security',
    page: 'account',
    signedIn: { email: model.email, csrfToken: model.csrfToken },
    scripts: ['/assets/passkeys.js'],
    body: html`<p><a href="/account">← Account</a></p>
      <h1>Sign-in security</h1>
      ${model.notice ? html`<p class="notice" role="status">${model.notice}</p>` : null}
      ${model.error ? html`<p class="alert" role="alert">${model.error}</p>` : null}
      ${totpSection(model)} ${passkeysSection(model)} ${recoverySection(model)}`,
  });
}

/** The recovery codes, shown once, with copy and download. */
export function recoveryCodesPage(codes: string[]): SafeHtml {
  const text = codes.join('\n');
  return layout({
    title: 'Your recovery codes',
    page: 'account',
    scripts: ['/assets/passkeys.js'],
    body: html`<section class="card">
      <h1>Your recovery codes</h1>
      <p>
        Keep these somewhere safe. Each code signs you in once if you lose your authenticator app or
        passkeys. They are shown only now.
      </p>
      <pre id="recovery-codes">${text}</pre>
      <p>
        <button type="button" id="copy-recovery-codes" class="button-secondary">Copy</button>
        <a
          class="button button-secondary"
          id="download-recovery-codes"
          download="keycard-recovery-codes.txt"
          href="data:text/plain;charset=utf-8,${encodeURIComponent(text + '\n')}"
          >Download</a
        >
      </p>
      <p><a class="button" href="/account/security">Done</a></p>
    </section>`,
  });
}

/** The account page's card pointing at `/account/security`. */
export function securityLinkSection(): SafeHtml {
  return html`<section class="card" aria-labelledby="security-title">
    <h2 id="security-title">Second factors</h2>
    <p>Authenticator app, passkeys and recovery codes.</p>
    <a class="button button-secondary" href="/account/security">Sign-in security</a>
  </section>`;
}
