import { securityLinkSection } from '../mfa/account-security.view';
import { connectedAppsLinkSection } from '../oidc/connected-apps.view';
import type { ApiKeyView } from '../api-keys/api-key-views';
import type { SessionRecord } from '../sessions/session.store';
import type { UserEntity } from '../users/user.entity';
import type { NewKeyNotice } from './account-api-keys.view';
import { apiKeysSection, newKeyBox } from './account-api-keys.view';
import { credentialsSection } from './account-credentials.view';
import { sessionsSection } from './account-sessions.view';
import type { SafeHtml } from '../web/html';
import { html } from '../web/html';
import { layout } from '../web/layout';

export type AccountNotice =
  | 'session_revoked'
  | 'key_revoked'
  | 'password_changed'
  | 'email_change_sent';

const NOTICES: Record<AccountNotice, string> = {
  session_revoked: 'That session has been signed out.',
  key_revoked:
    'The API key has been revoked. Keycard refuses it now; services stop accepting it within a few seconds (their cache).',
  password_changed: 'Your password has been changed. Your other sessions have been signed out.',
  email_change_sent:
    'If that address can be used, a link is on its way to it. Your address changes when you use the link.',
};

export function parseAccountNotice(value: unknown): AccountNotice | undefined {
  return (Object.keys(NOTICES) as AccountNotice[]).find((notice) => notice === value);
}

export interface AccountPageModel {
  user: Pick<UserEntity, 'email' | 'name' | 'roles' | 'emailVerified'>;
  csrfToken: string;
  currentSessionId: string;
  sessions: SessionRecord[];
  apiKeys: ApiKeyView[];
  /** Scopes offered in the create form. */
  grantableScopes: readonly string[];
  newKey?: NewKeyNotice;
  /** A public, generic message (from `KeycardError.publicMessage`); escaped like everything else. */
  error?: string;
  notice?: AccountNotice;
}

function profileSection(user: AccountPageModel['user']): SafeHtml {
  return html`<section class="card" aria-labelledby="profile-title">
    <h2 id="profile-title">Profile</h2>
    <dl class="profile">
      <dt>Name</dt>
      <dd>${user.name ?? '—'}</dd>
      <dt>Email</dt>
      <dd>
        ${user.email}
        <span class="muted small">${user.emailVerified ? '(verified)' : '(not verified)'}</span>
      </dd>
      <dt>Roles</dt>
      <dd>${user.roles.join(', ') || '—'}</dd>
    </dl>
  </section>`;
}

/** `/account`: profile, active sessions and API keys, all actions as plain forms. */
export function accountPage(model: AccountPageModel): SafeHtml {
  const error = model.error ? html`<p class="alert" role="alert">${model.error}</p>` : null;
  const notice = model.notice
    ? html`<p class="notice" role="status">${NOTICES[model.notice]}</p>`
    : null;
  return layout({
    title: 'Your account',
    page: 'account',
    signedIn: { email: model.user.email, csrfToken: model.csrfToken },
    scripts: ['/assets/account.js'],
    body: html`<h1>Your account</h1>
      ${error}${notice} ${model.newKey ? newKeyBox(model.newKey) : null}
      ${model.user.roles.includes('admin')
        ? html`<p class="notice"><a href="/admin">Open the admin console</a></p>`
        : null}
      ${profileSection(model.user)} ${securityLinkSection()} ${connectedAppsLinkSection()}
      ${credentialsSection(model.csrfToken)}
      ${sessionsSection(model.sessions, model.currentSessionId, model.csrfToken)}
      ${apiKeysSection(model.apiKeys, model.grantableScopes, model.csrfToken)}`,
  });
}
