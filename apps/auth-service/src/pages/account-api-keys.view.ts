import type { ApiKeyView, CreatedApiKey } from '../api-keys/api-key-views';
import { formatTime } from '../web/format';
import type { SafeHtml } from '../web/html';
import { html, pathSegment } from '../web/html';

export interface NewKeyNotice {
  key: CreatedApiKey;
  action: 'created' | 'rotated';
}

const STATUS_BADGE: Record<ApiKeyView['status'], string> = {
  active: 'badge',
  expiring: 'badge badge-muted',
  expired: 'badge badge-muted',
  revoked: 'badge badge-danger',
};

/** The one time a key's secret is shown: read-only, with a copy button and a plain warning. */
export function newKeyBox({ key, action }: NewKeyNotice): SafeHtml {
  return html`<section class="secret-box" aria-labelledby="new-key-title">
    <h2 id="new-key-title">
      ${action === 'created' ? 'Your new API key' : 'Your rotated API key'}: ${key.name}
    </h2>
    <label for="new-key" class="visually-hidden">API key</label>
    <div class="secret-row">
      <input
        id="new-key"
        type="text"
        readonly
        value="${key.key}"
        spellcheck="false"
        autocomplete="off"
        aria-describedby="new-key-warning"
      />
      <button
        type="button"
        class="button-secondary"
        data-copy="new-key"
        data-copy-status="copy-status"
      >
        Copy
      </button>
    </div>
    <p class="secret-warning" id="new-key-warning" role="alert">
      Copy this key now. It will not be shown again.
    </p>
    ${action === 'rotated'
      ? html`<p class="muted small">
          The previous key keeps working for 24 hours, so you can switch over without downtime. It
          is listed below as "expiring": revoke it as soon as nothing uses it any more.
        </p>`
      : null}
    <p class="copy-status" id="copy-status" aria-live="polite"></p>
  </section>`;
}

/**
 * Revoking asks first, without script: the button opens a confirmation that says what happens,
 * and only its own button posts.
 */
function revokeControl(key: ApiKeyView, base: string, csrfToken: string): SafeHtml {
  return html`<details class="confirm">
    <summary class="button button-danger button-small" aria-label="Revoke ${key.name}">
      Revoke
    </summary>
    <form method="post" action="${base}/revoke" class="confirm-body">
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <p class="small">
        Revoke <strong>${key.name}</strong>? Keycard refuses it at once; services that checked it a
        moment ago may accept it for a few more seconds (their cache). This cannot be undone.
      </p>
      <button type="submit" class="button-danger button-small">Yes, revoke ${key.name}</button>
    </form>
  </details>`;
}

/** Active keys: rotate and revoke. A rotated key still in its grace ("expiring"): revoke now. */
function keyActions(key: ApiKeyView, csrfToken: string): SafeHtml | null {
  const base = `/account/api-keys/${pathSegment(key.id)}`;
  if (key.status === 'expiring') return revokeControl(key, base, csrfToken);
  if (key.status !== 'active') return null;
  return html`<form method="post" action="${base}/rotate">
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <button type="submit" class="button-secondary button-small" aria-label="Rotate ${key.name}">
        Rotate
      </button>
    </form>
    ${revokeControl(key, base, csrfToken)}`;
}

function keyItem(key: ApiKeyView, csrfToken: string): SafeHtml {
  const scopes = key.scopes.length > 0 ? key.scopes.join(', ') : 'no scopes';
  return html`<li class="item" data-key-id="${key.id}">
    <div class="item-main">
      <div class="item-title">
        ${key.name}<span class="${STATUS_BADGE[key.status]}">${key.status}</span>
      </div>
      <div class="item-meta"><code>${key.prefix}…</code> · ${scopes}</div>
      <div class="item-meta">
        created ${formatTime(key.createdAt)} · last used
        ${formatTime(key.lastUsedAt)}${key.expiresAt
          ? ` · expires ${formatTime(key.expiresAt)}`
          : ''}
      </div>
    </div>
    <div class="item-actions">${keyActions(key, csrfToken)}</div>
  </li>`;
}

function createForm(scopes: readonly string[], csrfToken: string): SafeHtml {
  const boxes = scopes.map(
    (scope) =>
      html`<label class="check"
        ><input type="checkbox" name="scopes" value="${scope}" /> <code>${scope}</code></label
      >`,
  );
  return html`<form method="post" action="/account/api-keys" class="create-key">
    <input type="hidden" name="_csrf" value="${csrfToken}" />
    <h3>Create a key</h3>
    <div class="grid">
      <div class="field span-2">
        <label for="key-name">Name</label>
        <input
          id="key-name"
          name="name"
          type="text"
          required
          maxlength="100"
          autocomplete="off"
          placeholder="CI deploy script"
        />
      </div>
      <div class="field">
        <label for="key-type">Type</label>
        <select id="key-type" name="type">
          <option value="sk">Secret (sk): servers only</option>
          <option value="pk">Publishable (pk): read-only</option>
        </select>
      </div>
      <div class="field">
        <label for="key-environment">Environment</label>
        <select id="key-environment" name="environment">
          <option value="live">Live</option>
          <option value="test">Test</option>
        </select>
      </div>
      <fieldset class="span-2">
        <legend>Scopes <span class="hint">(none ticked: the defaults for the type)</span></legend>
        <div class="checks">${boxes}</div>
      </fieldset>
    </div>
    <button type="submit">Create key</button>
  </form>`;
}

/** The user's keys (no secrets), rotate and revoke (with a confirmation step), and the create form. */
export function apiKeysSection(
  keys: ApiKeyView[],
  scopes: readonly string[],
  csrfToken: string,
): SafeHtml {
  const list =
    keys.length > 0
      ? html`<ul class="list">
          ${keys.map((key) => keyItem(key, csrfToken))}
        </ul>`
      : html`<p class="muted">You have no API keys yet.</p>`;
  return html`<section class="card" aria-labelledby="keys-title" id="api-keys">
    <h2 id="keys-title">API keys</h2>
    ${list}
    <hr class="divider-line" />
    ${createForm(scopes, csrfToken)}
  </section>`;
}
