import { formatTime } from '../../web/format';
import type { SafeHtml } from '../../web/html';
import { html, pathSegment } from '../../web/html';
import type { ClientView, CreatedClient } from '../../clients/clients.service';
import type { ConsoleMessages, ConsoleViewer } from './console-layout';
import { consolePage, csrfField, messages } from './console-layout';
import { secretBox } from './secret-box';

export interface ClientsPageModel extends ConsoleMessages {
  viewer: ConsoleViewer;
  clients: ClientView[];
  /** Right after a create or a secret rotation: the one answer that shows the secret. */
  secret?: { client: CreatedClient; action: 'created' | 'rotated' };
  /** The create form as typed, when it was refused. */
  form?: { name: string; scopes: string };
}

export function clientPath(clientId: string): string {
  return `/admin/console/clients/${pathSegment(clientId)}`;
}

function actions(model: ClientsPageModel, client: ClientView): SafeHtml | null {
  if (client.revokedAt !== null) return null;
  const base = clientPath(client.clientId);
  return html`<div class="row-actions">
    <form method="post" action="${base}/rotate-secret">
      ${csrfField(model.viewer)}
      <button
        type="submit"
        class="button-secondary button-small"
        aria-label="Rotate secret of ${client.name}"
      >
        Rotate secret
      </button>
    </form>
    <form method="post" action="${base}/delete">
      ${csrfField(model.viewer)}
      <button type="submit" class="button-danger button-small" aria-label="Delete ${client.name}">
        Delete
      </button>
    </form>
  </div>`;
}

function clientRow(model: ClientsPageModel, client: ClientView): SafeHtml {
  return html`<tr>
    <td data-label="Client id"><code>${client.clientId}</code></td>
    <td data-label="Name">${client.name}</td>
    <td data-label="Scopes">${client.scopes.join(' ') || '—'}</td>
    <td data-label="Created">${formatTime(client.createdAt)}</td>
    <td data-label="Status">
      ${client.revokedAt === null
        ? html`<span class="badge">active</span>`
        : html`<span class="badge badge-danger">deleted</span>
            <span class="muted small">${formatTime(client.revokedAt)}</span>`}
    </td>
    <td data-label="Actions">${actions(model, client)}</td>
  </tr>`;
}

function createForm(model: ClientsPageModel): SafeHtml {
  return html`<form method="post" action="/admin/console/clients">
    ${csrfField(model.viewer)}
    <div class="grid">
      <div class="field">
        <label for="client-name">Name</label>
        <input
          id="client-name"
          name="name"
          type="text"
          required
          maxlength="100"
          autocomplete="off"
          value="${model.form?.name ?? ''}"
          placeholder="billing-worker"
        />
      </div>
      <div class="field">
        <label for="client-scopes">Scopes <span class="hint">(separated by spaces)</span></label>
        <input
          id="client-scopes"
          name="scopes"
          type="text"
          maxlength="2000"
          autocomplete="off"
          spellcheck="false"
          value="${model.form?.scopes ?? ''}"
          placeholder="usage:report"
        />
      </div>
    </div>
    <button type="submit">Create client</button>
  </form>`;
}

function secretNotice(secret: NonNullable<ClientsPageModel['secret']>): SafeHtml {
  const { client, action } = secret;
  return secretBox(
    action === 'created' ? `New client: ${client.name}` : `New secret of ${client.name}`,
    'Client secret',
    client.clientSecret,
    html`<p>
      Client id <code>${client.clientId}</code>${action === 'rotated'
        ? ': the old secret no longer works.'
        : '.'}
      It authenticates at <code>POST /oauth/token</code> (<code>client_credentials</code>).
    </p>`,
  );
}

/** `/admin/console/clients`: service clients (client credentials), create, rotate, delete. */
export function clientsPage(model: ClientsPageModel): SafeHtml {
  return consolePage({
    screen: 'clients',
    title: 'Clients',
    viewer: model.viewer,
    canonical: '/admin/console/clients',
    body: html`${messages(model)} ${model.secret ? secretNotice(model.secret) : null}
      <section class="card" aria-labelledby="clients-title">
        <h2 id="clients-title">Service clients</h2>
        <p class="muted small card-intro">
          Confidential clients of the client-credentials grant. They have no redirect URIs: Keycard
          has no authorization-code flow for them. Clients listed in
          <code>BOOTSTRAP_CLIENTS</code> get the variable's secret back at the next start.
        </p>
        <div class="table-wrap">
          <table class="data cards">
            <thead>
              <tr>
                <th scope="col">Client id</th>
                <th scope="col">Name</th>
                <th scope="col">Scopes</th>
                <th scope="col">Created</th>
                <th scope="col">Status</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              ${model.clients.length > 0
                ? model.clients.map((client) => clientRow(model, client))
                : html`<tr>
                    <td colspan="6" class="muted">No clients yet.</td>
                  </tr>`}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card" aria-labelledby="create-title">
        <h2 id="create-title">Create a client</h2>
        ${createForm(model)}
      </section>`,
  });
}
