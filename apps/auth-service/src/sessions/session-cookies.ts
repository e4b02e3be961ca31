import type { FastifyReply } from 'fastify';
import { randomToken } from '@keycard/common';
import type { AuthSettings } from '../config/auth.config';
import type { HttpRequest } from '../web/http-request';

/** The session cookie (contract name). Its value is a 256-bit random token; only its hash is stored. */
export const SESSION_COOKIE = 'keycard.sid';
/** The pre-session double-submit token of the sign-in form (login CSRF). */
export const LOGIN_CSRF_COOKIE = 'keycard.csrf';

/**
 * The address typed into the sign-in or sign-up form, kept for five minutes for that page's path
 * only, so an error does not empty the field.
 */
export const FORM_EMAIL_COOKIE = 'keycard.form_email';
const FORM_EMAIL_MAX_AGE_MS = 5 * 60 * 1000;

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

/** What a Keycard cookie says besides its name and value. */
export interface CookieOptions {
  path: string;
  secure: boolean;
  /** Milliseconds; without it a session cookie (gone when the browser closes). */
  maxAge?: number;
  /** Without `maxAge`: the moment the browser drops it (the epoch clears a cookie). */
  expires?: Date;
}

/**
 * One `Set-Cookie` value, always `HttpOnly` and `SameSite=Lax` (RFC 6265 attributes). `maxAge`
 * becomes `Max-Age` in seconds plus `Expires` for old browsers. Names and values are Keycard's
 * own: URL-safe tokens, never user input.
 */
export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [`${name}=${value}`];
  let expires = options.expires;
  if (options.maxAge !== undefined) {
    parts.push(`Max-Age=${Math.floor(options.maxAge / 1000)}`);
    expires = new Date(Date.now() + options.maxAge);
  }
  parts.push(`Path=${options.path}`);
  if (expires !== undefined) parts.push(`Expires=${expires.toUTCString()}`);
  parts.push('HttpOnly');
  if (options.secure) parts.push('Secure');
  parts.push('SameSite=Lax');
  return parts.join('; ');
}

/** Adds a cookie to the reply (every `Set-Cookie` is kept). */
export function setCookie(
  reply: FastifyReply,
  name: string,
  value: string,
  options: CookieOptions,
): void {
  reply.header('set-cookie', serializeCookie(name, value, options));
}

/** Tells the browser to drop a cookie set with the same path. */
export function clearCookie(
  reply: FastifyReply,
  name: string,
  options: Pick<CookieOptions, 'path' | 'secure'>,
): void {
  setCookie(reply, name, '', { ...options, expires: new Date(0) });
}

function baseOptions(settings: CookieSettings): CookieOptions {
  return { secure: settings.cookieSecure, path: '/' };
}

/** Kept by the browser for the absolute lifetime; the server enforces both timeouts regardless. */
export function setSessionCookie(
  response: FastifyReply,
  token: string,
  settings: CookieSettings,
): void {
  setCookie(response, SESSION_COOKIE, token, {
    ...baseOptions(settings),
    maxAge: settings.sessionTtl * 1000,
  });
}

export function clearSessionCookie(response: FastifyReply, settings: CookieSettings): void {
  clearCookie(response, SESSION_COOKIE, baseOptions(settings));
}

/**
 * The sign-in form's double-submit token: reuses the browser's cookie when it has a valid one
 * (several tabs), otherwise sets a fresh one. The form echoes it back in `_csrf`.
 */
export function ensureLoginCsrfToken(
  request: HttpRequest,
  response: FastifyReply,
  settings: CookieSettings,
): string {
  const existing = readCookie(request, LOGIN_CSRF_COOKIE);
  if (isWellFormedToken(existing)) return existing;
  const token = randomToken(32);
  setCookie(response, LOGIN_CSRF_COOKIE, token, baseOptions(settings));
  return token;
}

export function clearLoginCsrfCookie(response: FastifyReply, settings: CookieSettings): void {
  clearCookie(response, LOGIN_CSRF_COOKIE, baseOptions(settings));
}

/** The pages whose form keeps its address after an error (the last: an authorization request's). */
export type EmailFormPath = '/login' | '/signup' | '/oauth/authorize/resume';

/**
 * Remembers the address typed into a form (base64url, so any input is cookie-safe) for that form's
 * page only, where the page puts it back in the field after a failed attempt.
 */
export function rememberFormEmail(
  response: FastifyReply,
  path: EmailFormPath,
  email: string,
  settings: CookieSettings,
): void {
  setCookie(response, FORM_EMAIL_COOKIE, Buffer.from(email, 'utf8').toString('base64url'), {
    secure: settings.cookieSecure,
    path,
    maxAge: FORM_EMAIL_MAX_AGE_MS,
  });
}

/** The remembered address, when the cookie holds a plausible one (at most 254 characters). */
export function rememberedFormEmail(request: Pick<HttpRequest, 'headers'>): string | undefined {
  const value = readCookie(request, FORM_EMAIL_COOKIE);
  if (value === undefined || !/^[A-Za-z0-9_-]{1,400}$/.test(value)) return undefined;
  const email = Buffer.from(value, 'base64url').toString('utf8');
  return email.length <= 254 && email.includes('@') ? email : undefined;
}

export function forgetFormEmail(
  response: FastifyReply,
  path: EmailFormPath,
  settings: CookieSettings,
): void {
  clearCookie(response, FORM_EMAIL_COOKIE, { secure: settings.cookieSecure, path });
}
