import type { SessionRecord } from '../sessions/session.store';
import { describeUserAgent, formatTime } from '../web/format';
import type { SafeHtml } from '../web/html';
import { html, pathSegment } from '../web/html';

function sessionItem(session: SessionRecord, currentId: string, csrfToken: string): SafeHtml {
  const current = session.id === currentId;
  // The current session ends with the "Sign out" of the top bar; the others each get one here.
  const action = current
    ? null
    : html`<form method="post" action="/account/sessions/${pathSegment(session.id)}/revoke">
        <input type="hidden" name="_csrf" value="${csrfToken}" />
        <button
          type="submit"
          class="button-danger button-small"
          aria-label="Sign out the session of ${describeUserAgent(
            session.userAgent,
          )} from ${session.ip}"
        >
          Sign out
        </button>
      </form>`;
  return html`<li class="item" data-session-id="${session.id}">
    <div class="item-main">
      <div class="item-title" title="${session.userAgent}">
        ${describeUserAgent(session.userAgent)}${current
          ? html`<span class="badge">current</span>`
          : null}
      </div>
      <div class="item-meta">
        ${session.ip || 'unknown address'} · signed in ${formatTime(session.createdAt)} · last
        active ${formatTime(session.lastSeenAt)}
      </div>
    </div>
    <div class="item-actions">${action}</div>
  </li>`;
}

/** This browser on top, the others newest first (the order they come in). */
function currentFirst(sessions: SessionRecord[], currentId: string): SessionRecord[] {
  return [...sessions].sort((a, b) => Number(b.id === currentId) - Number(a.id === currentId));
}

/** Where the user is signed in, with a "Sign out" for every other session. */
export function sessionsSection(
  sessions: SessionRecord[],
  currentId: string,
  csrfToken: string,
): SafeHtml {
  return html`<section class="card" aria-labelledby="sessions-title">
    <h2 id="sessions-title">Active sessions</h2>
    <p class="muted small card-intro">
      Browsers signed in to your account. Sign out any you do not recognise.
    </p>
    <ul class="list">
      ${currentFirst(sessions, currentId).map((session) =>
        sessionItem(session, currentId, csrfToken),
      )}
    </ul>
  </section>`;
}
