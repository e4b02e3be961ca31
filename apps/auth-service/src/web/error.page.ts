import type { SafeHtml } from './html';
import { html } from './html';
import { layout } from './layout';

export interface ErrorPageModel {
  status: number;
  title: string;
  message: string;
}

/** A calm error page with a way back: the only form an error takes on an HTML route. */
export function errorPage(model: ErrorPageModel): SafeHtml {
  return layout({
    title: model.title,
    page: 'error',
    body: html`<section class="card">
      <p class="muted small">Error ${model.status}</p>
      <h1>${model.title}</h1>
      <p role="alert">${model.message}</p>
      <a class="button button-secondary" href="/account">Back to your account</a>
    </section>`,
  });
}
