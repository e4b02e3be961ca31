/** Longest redirect target accepted; anything longer is refused rather than truncated. */
const MAX_LENGTH = 2048;

/*
 * Refused before parsing: whitespace and control characters (the WHATWG parser silently drops
 * tabs and newlines, so `/\t/evil` would become `//evil`) and backslashes (read as `/` in
 * http(s) URLs, so `/\evil` would become `//evil`). The parsed URL must then be what was checked.
 */
const UNSAFE_CHARACTERS =
  // eslint-disable-next-line no-control-regex
  /[\\\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200f\u2028-\u202f\u3000\ufeff]/;

/** `%2f` and `%5c` (encoded `/` and `\`): no legitimate target needs them, and a proxy may decode them. */
const ENCODED_SEPARATOR = /%(2f|5c)/i;

/**
 * Where Keycard may send a browser: relative targets are resolved against `origin` (the issuer's)
 * and `allowed` lists the bases a resolved target must fall under — each an origin (every path of
 * it) or an origin and a path prefix (that path and what is below it, whole segments only).
 * Include `origin` itself in `allowed` to accept same-origin paths.
 */
export interface RedirectPolicy {
  origin: string;
  allowed: readonly string[];
}

/**
 * The `Location` to send for `target`, or null when it is not allowed (the caller falls back to
 * `/account`, or refuses). The target is normalised once with the WHATWG URL parser — the one
 * browsers use — and the result is compared as a whole (scheme, host, port, path) with the
 * allowed bases: dot segments (`/..//evil`, `/%2e%2e//evil`) are resolved before the check, not
 * after. Only an absolute path (`/…`) or an absolute http(s) URL is accepted; credentials in the
 * URL, other schemes (`javascript:`, `data:`) and encoded slashes are refused. A same-origin
 * target comes back as a path that cannot be read as protocol-relative (`//host`), any other as
 * the normalised absolute URL.
 */
export function safeRedirect(target: unknown, policy: RedirectPolicy): string | null {
  if (typeof target !== 'string' || target === '' || target.length > MAX_LENGTH) return null;
  if (UNSAFE_CHARACTERS.test(target)) return null;
  const url = parse(target, policy.origin);
  if (url === null) return null;
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username !== '' || url.password !== '') return null;
  if (!url.pathname.startsWith('/') || url.pathname.startsWith('//')) return null;
  if (ENCODED_SEPARATOR.test(url.pathname)) return null;
  if (!policy.allowed.some((base) => isUnder(url, base))) return null;
  const own = parse(policy.origin, undefined);
  if (own !== null && url.origin === own.origin) return `${url.pathname}${url.search}${url.hash}`;
  return url.href;
}

/** `safeRedirect`, or `fallback` (a fixed path of ours) when the target is not allowed. */
export function redirectOr(target: unknown, policy: RedirectPolicy, fallback = '/account'): string {
  return safeRedirect(target, policy) ?? fallback;
}

/** An absolute path (not `//`) resolved against `base`, or an absolute URL; null otherwise. */
function parse(value: string, base: string | undefined): URL | null {
  const relative = value.startsWith('/') && !value.startsWith('//');
  if (!relative && !/^[a-z][a-z0-9+.-]*:/i.test(value)) return null;
  try {
    return relative ? new URL(value, base) : new URL(value);
  } catch {
    return null;
  }
}

/** Same origin as `base`, and a path equal to its path or below it by whole segments. */
function isUnder(url: URL, base: string): boolean {
  const allowed = parse(base, undefined);
  if (allowed === null || allowed.origin === 'null' || url.origin !== allowed.origin) return false;
  if (allowed.pathname === '/') return true;
  const prefix = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
  return url.pathname === allowed.pathname || url.pathname.startsWith(prefix);
}
