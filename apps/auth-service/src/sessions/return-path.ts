import type { FastifyReply } from 'fastify';
import type { HttpRequest } from '../web/http-request';
import type { CookieSettings } from './session-cookies';
import { clearCookie, readCookie, setCookie } from './session-cookies';

/** Where the sign-in form goes after success when a page sent the browser to `/login`. */
export const RETURN_PATH_COOKIE = 'keycard.return';
/** Sent only with the sign-in post, and only for a while. */
const COOKIE_PATH = '/session/login';
const MAX_AGE_MS = 15 * 60_000;
/** Where an authorization request waits for its sign-in (`oidc/`); its page is a sign-in form. */
export const AUTHORIZE_RESUME_PATH = '/oauth/authorize/resume' as const;

/**
 * The pages a sign-in may come back to: the admin console's own paths (letters, digits and
 * `. _ ~ -`, no percent-encoding and no dot segments, a query of URL-safe characters) and an app's
 * authorization request waiting for the sign-in (`/oauth/authorize/resume?request=…`, oidc/),
 * never `//`, a backslash, a scheme or another host.
 */
const RETURN_PATH =
  /^(?:\/admin(?:\/[A-Za-z0-9._~-]+)*\/?|\/oauth\/authorize\/resume)(?:\?[A-Za-z0-9._~%&=+-]*)?$/;
const DOT_SEGMENT = /\/\.{1,2}(?:\/|\?|$)/;

export function isReturnPath(value: unknown): value is string {
  return (
    typeof value === 'string' &&
    value.length <= 512 &&
    RETURN_PATH.test(value) &&
    !DOT_SEGMENT.test(value)
  );
}

/** Remembers `path` (when it is one of the allowed pages) for the next sign-in of this browser. */
export function rememberReturnPath(
  response: FastifyReply,
  path: string,
  settings: CookieSettings,
): void {
  if (!isReturnPath(path)) return;
  setCookie(response, RETURN_PATH_COOKIE, Buffer.from(path, 'utf8').toString('base64url'), {
    secure: settings.cookieSecure,
    path: COOKIE_PATH,
    maxAge: MAX_AGE_MS,
  });
}

/** The remembered page, checked again (a cookie is input), and forgets it; undefined when none. */
export function takeReturnPath(
  request: Pick<HttpRequest, 'headers'>,
  response: FastifyReply,
  settings: CookieSettings,
): string | undefined {
  if (readCookie(request, RETURN_PATH_COOKIE) === undefined) return undefined;
  clearCookie(response, RETURN_PATH_COOKIE, { secure: settings.cookieSecure, path: COOKIE_PATH });
  return rememberedReturnPath(request);
}

/** A page with the sign-in form: where it is (`location`) and its path (`EmailFormPath`). */
export interface SignInFormPage {
  location: string;
  path: '/login' | typeof AUTHORIZE_RESUME_PATH;
}

/**
 * The page a failed sign-in goes back to: the waiting authorization request's own sign-in page
 * when one sent the browser here (only its page lets the browser follow the redirect to the app
 * after the next attempt: browsers apply `form-action` to every hop after a form), else
 * `/login`. The remembered page stays for that next attempt.
 */
export function signInFormPage(request: Pick<HttpRequest, 'headers'>): SignInFormPage {
  const path = rememberedReturnPath(request);
  return path?.startsWith(`${AUTHORIZE_RESUME_PATH}?`)
    ? { location: path, path: AUTHORIZE_RESUME_PATH }
    : { location: '/login', path: '/login' };
}

/** The remembered page, checked again (a cookie is input); undefined when none. */
function rememberedReturnPath(request: Pick<HttpRequest, 'headers'>): string | undefined {
  const value = readCookie(request, RETURN_PATH_COOKIE);
  if (value === undefined || !/^[A-Za-z0-9_-]{1,700}$/.test(value)) return undefined;
  const path = Buffer.from(value, 'base64url').toString('utf8');
  return isReturnPath(path) ? path : undefined;
}
