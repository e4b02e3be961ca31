import type { SafeHtml } from '../../web/html';
import { html } from '../../web/html';

export interface PageInfo {
  page: number;
  pageSize: number;
  total: number;
  /** More than `total` match (the count stopped there): "1000+", and Next past the last page. */
  totalCapped?: boolean;
}

/** "Page 2 of 5" with Previous / Next links that keep the screen's filters. */
export function pager(info: PageInfo, hrefFor: (page: number) => string): SafeHtml {
  const pages = Math.max(1, Math.ceil(info.total / info.pageSize));
  const capped = info.totalCapped === true;
  const more = capped ? '+' : '';
  const previous =
    info.page > 1
      ? html`<a class="button button-secondary button-small" href="${hrefFor(info.page - 1)}"
          >Previous</a
        >`
      : html`<span></span>`;
  const next =
    info.page < pages || capped
      ? html`<a class="button button-secondary button-small" href="${hrefFor(info.page + 1)}"
          >Next</a
        >`
      : html`<span></span>`;
  return html`<nav class="pager" aria-label="Pages">
    ${previous}
    <span class="muted small"
      >Page ${info.page} of ${pages}${more} · ${info.total}${more} in all</span
    >
    ${next}
  </nav>`;
}

/** A query string of the non-empty values, for links that keep filters. */
export function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(name, String(value));
  }
  const text = params.toString();
  return text === '' ? '' : `?${text}`;
}
