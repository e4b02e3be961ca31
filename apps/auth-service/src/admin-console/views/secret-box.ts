import type { SafeHtml } from '../../web/html';
import { html } from '../../web/html';

/** The one time a secret is shown: read-only, with a copy button and a plain warning. */
export function secretBox(
  title: string,
  label: string,
  secret: string,
  extra?: SafeHtml,
): SafeHtml {
  return html`<section class="secret-box" aria-labelledby="secret-title">
    <h2 id="secret-title">${title}</h2>
    ${extra ?? null}
    <label for="new-secret">${label}</label>
    <div class="secret-row">
      <input
        id="new-secret"
        type="text"
        readonly
        value="${secret}"
        spellcheck="false"
        autocomplete="off"
        aria-describedby="secret-warning"
      />
      <button
        type="button"
        class="button-secondary"
        data-copy="new-secret"
        data-copy-status="copy-status"
      >
        Copy
      </button>
    </div>
    <p class="secret-warning" id="secret-warning" role="alert">
      Copy it now. It will not be shown again.
    </p>
    <p class="copy-status" id="copy-status" aria-live="polite"></p>
  </section>`;
}
