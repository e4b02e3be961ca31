import type { FastifyReply } from 'fastify';
import type { SafeHtml } from './html';

/**
 * The policy of every page: our own scripts, styles and form targets only, never framed. Pages
 * carry per-user data (and once a key's secret), so they are never cached.
 */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': PAGE_CSP,
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/**
 * Sends a page with the pages' headers. `formOrigin`: another origin the redirects after the
 * page's forms may reach (see `FormTargets`), added to its CSP `form-action`.
 */
export function sendPage(
  response: FastifyReply,
  page: SafeHtml,
  status = 200,
  formOrigin?: string,
): void {
  const headers =
    formOrigin === undefined
      ? PAGE_HEADERS
      : {
          ...PAGE_HEADERS,
          'Content-Security-Policy': PAGE_HEADERS['Content-Security-Policy'].replace(
            "form-action 'self'",
            `form-action 'self' ${formOrigin}`,
          ),
        };
  void response.status(status).headers(headers).type('text/html; charset=utf-8').send(page.value);
}

/** 303 See Other: after a form post, the browser follows with a GET. */
export function redirectTo(response: FastifyReply, location: string): void {
  void response.header('Cache-Control', 'no-store').redirect(location, 303);
}
