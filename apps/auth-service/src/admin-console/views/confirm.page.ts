import type { SafeHtml } from '../../web/html';
import { html } from '../../web/html';
import type { ConsoleScreen, ConsoleViewer } from './console-layout';
import { consolePage, csrfField } from './console-layout';

export interface ConfirmModel {
  screen: ConsoleScreen;
  viewer: ConsoleViewer;
  /** "Disable ada@example.com?" */
  title: string;
  /** What will happen, plainly: each entry one paragraph. */
  consequences: (string | SafeHtml)[];
  /** Where the confirmed form posts (the same action, with `confirm=yes`). */
  action: string;
  /** Fields the confirmed post carries again (the new roles, `force`). */
  fields?: Record<string, string>;
  confirmLabel: string;
  /** Where "Cancel" leads: the screen the action came from. */
  cancel: string;
}

/**
 * The step between a destructive button and its effect: nothing has happened yet, the page says
 * what will, and only its own form (CSRF token, `confirm=yes`) carries it out.
 */
export function confirmPage(model: ConfirmModel): SafeHtml {
  const fields = Object.entries(model.fields ?? {}).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
  );
  return consolePage({
    screen: model.screen,
    title: 'Please confirm',
    viewer: model.viewer,
    canonical: model.cancel,
    body: html`<section class="card confirm" aria-labelledby="confirm-title">
      <h2 id="confirm-title">${model.title}</h2>
      ${model.consequences.map((text) => html`<p>${text}</p>`)}
      <form method="post" action="${model.action}" class="confirm-actions">
        ${csrfField(model.viewer)} ${fields}
        <input type="hidden" name="confirm" value="yes" />
        <button type="submit" class="button-danger-solid">${model.confirmLabel}</button>
        <a class="button button-secondary" href="${model.cancel}">Cancel</a>
      </form>
    </section>`,
  });
}
