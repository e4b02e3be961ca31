import type { SafeHtml } from '../../web/html';
import { html, pathSegment } from '../../web/html';
import type { AdminUserView } from '../../users/public-user';
import type { ConsoleViewer } from './console-layout';
import { consolePage } from './console-layout';
import type { PageInfo } from './paging';
import { pager, queryString } from './paging';

export interface UsersPageModel extends PageInfo {
  viewer: ConsoleViewer;
  users: AdminUserView[];
  email: string;
  q: string;
}

function statusBadge(user: AdminUserView): SafeHtml {
  return user.disabled
    ? html`<span class="badge badge-danger">disabled</span>`
    : html`<span class="badge">active</span>`;
}

function userRow(user: AdminUserView): SafeHtml {
  return html`<tr>
    <td data-label="E-mail">
      <a href="/admin/console/users/${pathSegment(user.id)}">${user.email}</a>
    </td>
    <td data-label="Name">${user.name ?? '—'}</td>
    <td data-label="Roles">${user.roles.join(', ') || '—'}</td>
    <td data-label="Status">${statusBadge(user)}</td>
    <td data-label="Created">${user.createdAt.slice(0, 10)}</td>
  </tr>`;
}

/** `/admin/console/users`: search by the start of the address and/or the start of a word of the address or name, a page at a time. */
export function usersPage(model: UsersPageModel): SafeHtml {
  const rows =
    model.users.length > 0
      ? model.users.map(userRow)
      : html`<tr>
          <td colspan="5" class="muted">No user matches.</td>
        </tr>`;
  return consolePage({
    screen: 'users',
    title: 'Users',
    viewer: model.viewer,
    canonical: `/admin/console/users${queryString({ email: model.email, q: model.q })}`,
    body: html`<section class="card" aria-labelledby="users-title">
      <h2 id="users-title" class="visually-hidden">All users</h2>
      <form method="get" action="/admin/console/users" class="inline-form" role="search">
        <div class="field grow">
          <label for="email-search">E-mail starts with</label>
          <input
            id="email-search"
            name="email"
            type="search"
            value="${model.email}"
            maxlength="254"
            autocomplete="off"
            spellcheck="false"
          />
        </div>
        <div class="field grow">
          <label for="text-search">Name or e-mail: a word's start (* for anywhere)</label>
          <input
            id="text-search"
            name="q"
            type="search"
            value="${model.q}"
            maxlength="100"
            autocomplete="off"
            spellcheck="false"
          />
        </div>
        <div class="field"><button type="submit">Search</button></div>
      </form>
      <div class="table-wrap">
        <table class="data cards">
          <thead>
            <tr>
              <th scope="col">E-mail</th>
              <th scope="col">Name</th>
              <th scope="col">Roles</th>
              <th scope="col">Status</th>
              <th scope="col">Created</th>
            </tr>
          </thead>
          <tbody>
            ${rows}
          </tbody>
        </table>
      </div>
      ${pager(
        model,
        (page) => `/admin/console/users${queryString({ email: model.email, q: model.q, page })}`,
      )}
    </section>`,
  });
}
