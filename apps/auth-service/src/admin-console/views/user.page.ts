import type { ApiKeyView } from '../../api-keys/api-key-views';
import { describeUserAgent, formatTime } from '../../web/format';
import type { SafeHtml } from '../../web/html';
import { html, pathSegment } from '../../web/html';
import type { SessionRecord } from '../../sessions/session.store';
import type { AdminUserView } from '../../users/public-user';
import type { ConsoleMessages, ConsoleViewer } from './console-layout';
import { consolePage, csrfField, messages } from './console-layout';

export interface UserPageModel extends ConsoleMessages {
  viewer: ConsoleViewer;
  user: AdminUserView;
  sessions: SessionRecord[];
  apiKeys: ApiKeyView[];
  /** The roles field as typed, when it was refused; the user's roles otherwise. */
  rolesText?: string;
}

export function userPath(id: string): string {
  return `/admin/console/users/${pathSegment(id)}`;
}

function profile(user: AdminUserView): SafeHtml {
  return html`<dl class="profile">
    <dt>E-mail</dt>
    <dd>
      ${user.email}
      ${user.emailVerified
        ? html`<span class="badge">verified</span>`
        : html`<span class="badge badge-muted">not verified</span>`}
    </dd>
    <dt>Name</dt>
    <dd>${user.name ?? '—'}</dd>
    <dt>Id</dt>
    <dd><code>${user.id}</code></dd>
    <dt>Status</dt>
    <dd>
      ${user.disabled
        ? html`<span class="badge badge-danger">disabled</span>`
        : html`<span class="badge">active</span>`}
    </dd>
    <dt>Sign-in</dt>
    <dd>${user.hasPassword ? 'password' : 'external provider only'}</dd>
    <dt>Created</dt>
    <dd>${formatTime(user.createdAt)}</dd>
  </dl>`;
}

function rolesForm(model: UserPageModel): SafeHtml {
  const base = userPath(model.user.id);
  return html`<form method="post" action="${base}/roles" class="inline-form">
    ${csrfField(model.viewer)}
    <div class="field grow">
      <label for="roles">Roles <span class="hint">(separated by commas or spaces)</span></label>
      <input
        id="roles"
        name="roles"
        type="text"
        value="${model.rolesText ?? model.user.roles.join(', ')}"
        maxlength="700"
        autocomplete="off"
        spellcheck="false"
        aria-describedby="roles-hint"
      />
    </div>
    <div class="field"><button type="submit">Change roles</button></div>
    <p id="roles-hint" class="hint span-all">
      <code>admin</code> opens this console; <code>user</code> is every account's default.
    </p>
  </form>`;
}

function statusForm(model: UserPageModel): SafeHtml {
  const base = userPath(model.user.id);
  if (model.user.disabled) {
    return html`<form method="post" action="${base}/enable">
      ${csrfField(model.viewer)}
      <p class="muted small">A disabled user cannot sign in; their keys stay revoked.</p>
      <button type="submit" class="button-secondary">Enable ${model.user.email}</button>
    </form>`;
  }
  return html`<form method="post" action="${base}/disable">
    ${csrfField(model.viewer)}
    <p class="muted small">
      Disabling signs the user out everywhere and revokes their refresh tokens and API keys.
    </p>
    <button type="submit" class="button-danger">Disable ${model.user.email}</button>
  </form>`;
}

/** Asks for a confirmation first (`ConsoleMfaController`). */
function mfaResetForm(model: UserPageModel): SafeHtml {
  return html`<form method="post" action="${userPath(model.user.id)}/mfa/reset">
    ${csrfField(model.viewer)}
    <p class="muted small">For a user who lost their authenticator app and recovery codes.</p>
    <button type="submit" class="button-secondary">Reset second factors</button>
  </form>`;
}

function sessionRow(model: UserPageModel, session: SessionRecord): SafeHtml {
  const action = `${userPath(model.user.id)}/sessions/${pathSegment(session.id)}/revoke`;
  const agent = describeUserAgent(session.userAgent);
  return html`<li class="item">
    <div class="item-main">
      <div class="item-title" title="${session.userAgent}">${agent}</div>
      <div class="item-meta">
        ${session.ip || 'unknown address'} · signed in ${formatTime(session.createdAt)} · last
        active ${formatTime(session.lastSeenAt)}
      </div>
    </div>
    <div class="item-actions">
      <form method="post" action="${action}">
        ${csrfField(model.viewer)}
        <button
          type="submit"
          class="button-danger button-small"
          aria-label="Sign out the session of ${agent} from ${session.ip || 'an unknown address'}"
        >
          Sign out
        </button>
      </form>
    </div>
  </li>`;
}

const KEY_BADGE: Record<ApiKeyView['status'], string> = {
  active: 'badge',
  expiring: 'badge badge-muted',
  expired: 'badge badge-muted',
  revoked: 'badge badge-danger',
};

function keyRow(model: UserPageModel, key: ApiKeyView): SafeHtml {
  const action = `${userPath(model.user.id)}/api-keys/${pathSegment(key.id)}/revoke`;
  const revocable = key.status === 'active' || key.status === 'expiring';
  return html`<li class="item">
    <div class="item-main">
      <div class="item-title">
        ${key.name}<span class="${KEY_BADGE[key.status]}">${key.status}</span>
      </div>
      <div class="item-meta">
        <code>${key.prefix}…</code> · ${key.scopes.join(', ') || 'no scopes'} · created
        ${formatTime(key.createdAt)} · last used ${formatTime(key.lastUsedAt)}
      </div>
    </div>
    <div class="item-actions">
      ${revocable
        ? html`<form method="post" action="${action}">
            ${csrfField(model.viewer)}
            <button
              type="submit"
              class="button-danger button-small"
              aria-label="Revoke ${key.name}"
            >
              Revoke
            </button>
          </form>`
        : null}
    </div>
  </li>`;
}

function listOrEmpty(items: SafeHtml[], empty: string): SafeHtml {
  return items.length > 0
    ? html`<ul class="list">
        ${items}
      </ul>`
    : html`<p class="muted">${empty}</p>`;
}

/** `/admin/console/users/:id`: the profile, roles, status, sessions and API keys of one user. */
export function userPage(model: UserPageModel): SafeHtml {
  const { user } = model;
  return consolePage({
    screen: 'users',
    title: user.email,
    viewer: model.viewer,
    canonical: userPath(user.id),
    body: html`<p><a href="/admin/console/users">← All users</a></p>
      ${messages(model)}
      <section class="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile</h2>
        ${profile(user)}
        <p class="small card-end">
          <a href="/admin/console/audit?subjectId=${encodeURIComponent(user.id)}"
            >Audit events about this user</a
          >
          ·
          <a href="/admin/console/audit?actorId=${encodeURIComponent(user.id)}"
            >Audit events by this user</a
          >
        </p>
      </section>
      <section class="card" aria-labelledby="access-title">
        <h2 id="access-title">Access</h2>
        ${rolesForm(model)}
        <hr class="divider-line" />
        ${statusForm(model)} ${mfaResetForm(model)}
      </section>
      <section class="card" aria-labelledby="sessions-title">
        <h2 id="sessions-title">Sessions</h2>
        ${listOrEmpty(
          model.sessions.map((session) => sessionRow(model, session)),
          'No browser is signed in as this user.',
        )}
      </section>
      <section class="card" aria-labelledby="keys-title">
        <h2 id="keys-title">API keys</h2>
        <p class="muted small card-intro">
          A revoked key is refused by the auth-service at once; resource services that cache key
          answers may accept it until their <code>API_KEY_CACHE_TTL</code> ends.
        </p>
        ${listOrEmpty(
          model.apiKeys.map((key) => keyRow(model, key)),
          'This user has no API keys.',
        )}
      </section>`,
  });
}
