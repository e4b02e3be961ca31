import type { Response } from 'express';
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

export function sendPage(response: Response, page: SafeHtml, status = 200): void {
  response.status(status).set(PAGE_HEADERS).type('html').send(page.value);
}

/** 303 See Other: after a form post, the browser follows with a GET. */
export function redirectTo(response: Response, location: string): void {
  response.set('Cache-Control', 'no-store').redirect(303, location);
}
