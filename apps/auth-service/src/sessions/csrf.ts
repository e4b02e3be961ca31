import { constantTimeEqual, ErrorCode, KeycardError } from '@keycard/common';
import type { HttpRequest } from '../web/http-request';
import { bodyField, isFormPost } from '../web/http-request';
import { LOGIN_CSRF_COOKIE, readCookie } from './session-cookies';

/** Header an SPA sends the session's CSRF token in; forms send it as the `_csrf` field. */
export const CSRF_HEADER = 'x-csrf-token';
export const CSRF_FIELD = '_csrf';

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Anything but GET, HEAD and OPTIONS may change state, so it is checked. */
export function isStateChanging(method: string): boolean {
  return !SAFE_METHODS.has(method.toUpperCase());
}

function csrfFailed(reason: string): KeycardError {
  return new KeycardError(ErrorCode.CsrfFailed, { reason });
}

function presentedToken(request: HttpRequest): string | undefined {
  const header = request.headers[CSRF_HEADER];
  if (typeof header === 'string') return header;
  return bodyField(request, CSRF_FIELD);
}

/**
 * An `Origin` header, when sent, must be the issuer's own: another site's page cannot post here.
 * One exception, forced by our own pages' `Referrer-Policy: no-referrer`: under that policy
 * browsers send `Origin: null` even on same-origin form posts (Fetch standard, "append a request
 * Origin header"). `null` is therefore accepted only with `Sec-Fetch-Site: same-origin`, which
 * browsers set themselves and no page can forge; a sandboxed frame or a `no-referrer` page of
 * another site sends `null` with `cross-site` and is refused.
 */
export function assertSameOrigin(request: HttpRequest, issuerOrigin: string): void {
  const origin = request.headers.origin;
  if (origin === undefined || origin === issuerOrigin) return;
  if (origin === 'null' && request.headers['sec-fetch-site'] === 'same-origin') return;
  throw csrfFailed(origin === 'null' ? 'Origin null from another site' : 'foreign Origin');
}

/**
 * For a state-changing request authenticated by the session cookie alone: the session's CSRF
 * token (header or form field, compared in constant time) and, when present, a same-site Origin.
 * Safe methods pass. 403 `csrf_failed` otherwise.
 */
export function assertSessionCsrf(
  request: HttpRequest,
  expected: string,
  issuerOrigin: string,
): void {
  if (!isStateChanging(request.method)) return;
  assertSameOrigin(request, issuerOrigin);
  const presented = presentedToken(request);
  if (presented === undefined || !constantTimeEqual(presented, expected)) {
    throw csrfFailed(presented === undefined ? 'no CSRF token' : 'wrong CSRF token');
  }
}

/**
 * Login CSRF (an attacker signing the victim into the attacker's account). A form post must echo
 * the pre-session double-submit cookie in `_csrf`; a JSON post cannot be sent cross-site without
 * a CORS preflight, which this service never grants. Both get the Origin check, which also covers
 * a double-submit cookie planted from a sibling subdomain.
 */
export function assertLoginCsrf(request: HttpRequest, issuerOrigin: string): void {
  assertSameOrigin(request, issuerOrigin);
  if (!isFormPost(request)) return;
  const cookie = readCookie(request, LOGIN_CSRF_COOKIE);
  const presented = bodyField(request, CSRF_FIELD);
  if (cookie === undefined || presented === undefined || !constantTimeEqual(presented, cookie)) {
    throw csrfFailed('login form without its double-submit token');
  }
}
