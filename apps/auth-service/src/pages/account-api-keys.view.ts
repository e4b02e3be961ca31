import type { ApiKeyView, CreatedApiKey } from '../api-keys/api-key-views';
import { formatTime } from './format';
import { html, pathSegment, SafeHtml } from './html';

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
    <p class="copy-status" id="copy-status" aria-live="polite"></p>
  </section>`;
}

function keyActions(key: ApiKeyView, csrfToken: string): SafeHtml | null {
  if (key.status !== 'active') return null;
  const base = `/account/api-keys/${pathSegment(key.id)}`;
  return html`<form method="post" action="${base}/rotate">
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <button type="submit" class="button-secondary button-small" aria-label="Rotate ${key.name}">
        Rotate
      </button>
    </form>
    <form method="post" action="${base}/revoke">
      <input type="hidden" name="_csrf" value="${csrfToken}" />
      <button type="submit" class="button-danger button-small" aria-label="Revoke ${key.name}">
        Revoke
      </button>
    </form>`;
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

/** The user's keys (no secrets), rotate and revoke for active ones, and the create form. */
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
