import { formatTime } from '../../web/format';
import type { SafeHtml } from '../../web/html';
import { html } from '../../web/html';
import type { AdminOverview } from '../admin-overview.service';
import type { LabelCounts } from '../metrics-window';
import type { ConsoleViewer } from './console-layout';
import { consolePage } from './console-layout';

function stat(label: string, value: number, href?: string): SafeHtml {
  const text = html`<span class="stat-value">${value}</span
    ><span class="stat-label">${label}</span>`;
  return html`<li class="stat">
    ${href
      ? html`<a class="stat-body" href="${href}">${text}</a>`
      : html`<div class="stat-body">${text}</div>`}
  </li>`;
}

function countsTable(caption: string, column: string, counts: LabelCounts): SafeHtml {
  const rows = Object.entries(counts).sort(([a], [b]) => (a < b ? -1 : 1));
  const total = rows.reduce((sum, [, count]) => sum + count, 0);
  return html`<div class="table-wrap">
    <table class="data">
      <caption>
        ${caption}: ${total}
      </caption>
      <thead>
        <tr>
          <th scope="col">${column}</th>
          <th scope="col">Count</th>
        </tr>
      </thead>
      <tbody>
        ${rows.length === 0
          ? html`<tr>
              <td colspan="2" class="muted">None</td>
            </tr>`
          : rows.map(
              ([label, count]) =>
                html`<tr>
                  <td data-label="${column}"><code>${label}</code></td>
                  <td data-label="Count">${count}</td>
                </tr>`,
            )}
      </tbody>
    </table>
  </div>`;
}

/** `/admin`: counts from the database and the key table, and this instance's last hour. */
export function overviewPage(viewer: ConsoleViewer, overview: AdminOverview): SafeHtml {
  const keys = overview.signingKeys;
  const { lastHour } = overview;
  const metrics = html`${countsTable('Tokens issued (grants)', 'Kind', lastHour.issued)}
  ${countsTable('Refused credentials', 'Reason', lastHour.failures)}`;
  return consolePage({
    screen: 'overview',
    title: 'Overview',
    viewer,
    canonical: '/admin',
    body: html`<ul class="stats" aria-label="At a glance">
        ${stat('Users', overview.users, '/admin/console/users')}
        ${stat('Active sessions', overview.activeSessions)}
        ${stat('Active signing keys', keys.active, '/admin/console/keys')}
        ${stat('Next keys', keys.next, '/admin/console/keys')}
        ${stat('Retiring keys', keys.retiring, '/admin/console/keys')}
        ${stat('Revoked keys', keys.revoked, '/admin/console/keys')}
      </ul>
      <section class="card" aria-labelledby="hour-title">
        <h2 id="hour-title">The last hour</h2>
        <p class="muted small card-intro">
          From this instance's metrics (<code>keycard_tokens_issued_total</code>,
          <code>keycard_auth_failures_total</code>) since ${formatTime(lastHour.since)}: other
          instances count their own. The <a href="/admin/console/audit">audit log</a> has the events
          themselves.
        </p>
        ${metrics}
      </section>`,
  });
}
