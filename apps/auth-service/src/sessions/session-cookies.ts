import type { CookieOptions, Response } from 'express';
import { randomToken } from '@keycard/common';
import type { AuthSettings } from '../config/auth.config';
import type { HttpRequest } from './http-request';

/** The session cookie (contract name). Its value is a 256-bit random token; only its hash is stored. */
export const SESSION_COOKIE = 'keycard.sid';
/** The pre-session double-submit token of the sign-in form (login CSRF). */
export const LOGIN_CSRF_COOKIE = 'keycard.csrf';

/** `randomToken(32)`: 32 bytes in base64url. Anything else is not even looked up. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export type CookieSettings = Pick<AuthSettings, 'cookieSecure' | 'sessionTtl'>;

export function isWellFormedToken(value: string | undefined): value is string {
  return value !== undefined && TOKEN_SHAPE.test(value);
}

/** The value of cookie `name` from the Cookie header (first one wins), undecoded: ours are URL-safe. */
export function readCookie(
  request: Pick<HttpRequest, 'headers'>,
  name: string,
): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator < 0 || part.slice(0, separator).trim() !== name) continue;
    return part
      .slice(separator + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return undefined;
}

function baseOptions(settings: CookieSettings): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: settings.cookieSecure, path: '/' };
}

/** Kept by the browser for the absolute lifetime; the server enforces both timeouts regardless. */
export function setSessionCookie(
  response: Response,
  token: string,
  settings: CookieSettings,
): void {
  response.cookie(SESSION_COOKIE, token, {
    ...baseOptions(settings),
    maxAge: settings.sessionTtl * 1000,
  });
}

export function clearSessionCookie(response: Response, settings: CookieSettings): void {
  response.clearCookie(SESSION_COOKIE, baseOptions(settings));
}

/**
 * The sign-in form's double-submit token: reuses the browser's cookie when it has a valid one
 * (several tabs), otherwise sets a fresh one. The form echoes it back in `_csrf`.
 */
export function ensureLoginCsrfToken(
  request: HttpRequest,
  response: Response,
  settings: CookieSettings,
): string {
  const existing = readCookie(request, LOGIN_CSRF_COOKIE);
  if (isWellFormedToken(existing)) return existing;
  const token = randomToken(32);
  response.cookie(LOGIN_CSRF_COOKIE, token, baseOptions(settings));
  return token;
}

export function clearLoginCsrfCookie(response: Response, settings: CookieSettings): void {
  response.clearCookie(LOGIN_CSRF_COOKIE, baseOptions(settings));
}
