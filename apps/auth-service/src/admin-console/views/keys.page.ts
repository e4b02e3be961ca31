import { formatTime } from '../../web/format';
import type { SafeHtml } from '../../web/html';
import { html, pathSegment } from '../../web/html';
import type { KeyListing } from '../../keys/key-views';
import type { ConsoleMessages, ConsoleViewer } from './console-layout';
import { consolePage, csrfField, messages } from './console-layout';

export interface KeysPageModel extends ConsoleMessages {
  viewer: ConsoleViewer;
  keys: KeyListing[];
  /** `JWKS_MAX_AGE` in seconds: how long verifiers may cache the JWKS. */
  jwksMaxAge: number;
  /** Set after a 409 `too_early`: seconds until a normal rotation is allowed. */
  tooEarly?: number;
}

const ORDER: Record<KeyListing['status'], number> = { active: 0, next: 1, retiring: 2, revoked: 3 };

const BADGE: Record<KeyListing['status'], string> = {
  active: 'badge',
  next: 'badge badge-muted',
  retiring: 'badge badge-muted',
  revoked: 'badge badge-danger',
};

function keyRow(model: KeysPageModel, key: KeyListing): SafeHtml {
  const revoke =
    key.status === 'revoked'
      ? null
      : html`<form method="post" action="/admin/console/keys/${pathSegment(key.kid)}/revoke">
          ${csrfField(model.viewer)}
          <button
            type="submit"
            class="button-danger button-small"
            aria-label="Revoke key ${key.kid}"
          >
            Revoke
          </button>
        </form>`;
  return html`<tr>
    <td data-label="Key id"><code>${key.kid}</code></td>
    <td data-label="Status"><span class="${BADGE[key.status]}">${key.status}</span></td>
    <td data-label="Published">${formatTime(key.publishedAt)}</td>
    <td data-label="Activated">${formatTime(key.activatedAt)}</td>
    <td data-label="Verifies until">
      ${key.status === 'retiring'
        ? formatTime(key.verifyUntil)
        : key.status === 'revoked'
          ? '—'
          : 'while listed'}
    </td>
    <td data-label="Actions">${revoke}</td>
  </tr>`;
}

function rotateSection(model: KeysPageModel): SafeHtml {
  const force =
    model.tooEarly === undefined
      ? null
      : html`<div class="alert" role="alert">
          <p>
            The next key entered the JWKS less than ${model.jwksMaxAge} s ago. Verifiers that cached
            the JWKS before then do not know it yet and would refuse the tokens it signs. A normal
            rotation is possible in ${model.tooEarly} s.
          </p>
          <form method="post" action="/admin/console/keys/rotate">
            ${csrfField(model.viewer)}
            <input type="hidden" name="force" value="true" />
            <button type="submit" class="button-danger">Force the rotation…</button>
          </form>
        </div>`;
  return html`<section class="card" aria-labelledby="rotate-title">
    <h2 id="rotate-title">Rotate</h2>
    <p>
      A rotation makes the <em>next</em> key active (it signs new tokens), the active key
      <em>retiring</em> (it verifies the tokens it signed until they expire) and publishes a new
      next key. It is refused (409) while the next key has been in the JWKS for less than
      <code>JWKS_MAX_AGE</code> (${model.jwksMaxAge} s), so every verifier already has it; forcing
      it skips that wait.
    </p>
    ${force}
    <form method="post" action="/admin/console/keys/rotate">
      ${csrfField(model.viewer)}
      <button type="submit">Rotate the signing keys…</button>
    </form>
  </section>`;
}

/** `/admin/console/keys`: the status of every signing key, rotation and emergency revocation. */
export function keysPage(model: KeysPageModel): SafeHtml {
  const keys = [...model.keys].sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  return consolePage({
    screen: 'keys',
    title: 'Signing keys',
    viewer: model.viewer,
    canonical: '/admin/console/keys',
    body: html`${messages(model)}
      <section class="card" aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        <p class="muted small card-intro">
          Revoke a key only when its private part may have leaked: every token it signed stops
          verifying at once, and an active key is replaced by the next one.
        </p>
        <div class="table-wrap">
          <table class="data cards">
            <thead>
              <tr>
                <th scope="col">Key id</th>
                <th scope="col">Status</th>
                <th scope="col">Published</th>
                <th scope="col">Activated</th>
                <th scope="col">Verifies until</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              ${keys.map((key) => keyRow(model, key))}
            </tbody>
          </table>
        </div>
      </section>
      ${rotateSection(model)}`,
  });
}
