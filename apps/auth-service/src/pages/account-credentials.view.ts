import type { SafeHtml } from '../web/html';
import { html } from '../web/html';

function passwordInput(id: string, name: string, autocomplete: string, label: string): SafeHtml {
  return html`<div class="field">
    <label for="${id}">${label}</label>
    <input
      id="${id}"
      name="${name}"
      type="password"
      autocomplete="${autocomplete}"
      required
      maxlength="128"
    />
  </div>`;
}

/**
 * `/account`: change the password (the current one required; every other session ends) and the
 * address (the current password required; a link goes to the new address).
 */
export function credentialsSection(csrfToken: string): SafeHtml {
  return html`<section class="card" aria-labelledby="credentials-title">
    <h2 id="credentials-title">Password and email</h2>
    <form method="post" action="/account/password" class="stack">
      <h3>Change your password</h3>
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      ${passwordInput(
        'current-password',
        'currentPassword',
        'current-password',
        'Current password',
      )}
      <div class="field">
        <label for="new-password">New password</label>
        <input
          id="new-password"
          name="newPassword"
          type="password"
          autocomplete="new-password"
          required
          minlength="8"
          maxlength="128"
          aria-describedby="new-password-hint"
        />
        <p class="muted small" id="new-password-hint">
          8 to 128 characters, not a commonly used password. Your other sessions are signed out.
        </p>
      </div>
      <button type="submit">Change password</button>
    </form>
    <hr class="divider-line" />
    <form method="post" action="/account/email" class="stack">
      <h3>Change your email address</h3>
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <div class="field">
        <label for="new-email">New email address</label>
        <input
          id="new-email"
          name="newEmail"
          type="email"
          autocomplete="email"
          inputmode="email"
          autocapitalize="none"
          spellcheck="false"
          required
          maxlength="254"
          aria-describedby="new-email-hint"
        />
        <p class="muted small" id="new-email-hint">
          We mail a link to the new address; the change happens when you use it.
        </p>
      </div>
      ${passwordInput('email-password', 'password', 'current-password', 'Current password')}
      <button type="submit">Change email address</button>
    </form>
  </section>`;
}
