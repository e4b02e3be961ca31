/** Longest `returnTo` accepted; anything longer is refused rather than truncated. */
const MAX_LENGTH = 2048;

/**
 * Where to send the browser after sign-in, or null when `value` is not allowed (the caller falls
 * back to `/account`). Same-origin paths (`/account/…`) are always allowed, returned as a path;
 * absolute http(s) URLs only when they match an allow-list entry (an origin, or an origin and a
 * path prefix). Refused: protocol-relative `//host`, backslashes (browsers read `/\host` as
 * `//host`), control characters, credentials in the URL, and every other scheme (`javascript:`).
 */
export function safeReturnTo(
  value: string | undefined,
  issuerOrigin: string,
  allowlist: readonly string[],
): string | null {
  if (value === undefined || value === '' || value.length > MAX_LENGTH) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f\s]/.test(value)) return null;
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return null;
    const url = new URL(value, issuerOrigin);
    return url.origin === issuerOrigin ? `${url.pathname}${url.search}${url.hash}` : null;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  if (url.username || url.password) return null;
  return allowlist.some((entry) => matchesEntry(url, entry)) ? url.href : null;
}

function matchesEntry(url: URL, entry: string): boolean {
  const allowed = new URL(entry);
  if (url.origin !== allowed.origin) return false;
  if (allowed.pathname === '/') return true;
  const prefix = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`;
  return url.pathname === allowed.pathname || url.pathname.startsWith(prefix);
}

/** `returnTo` with the one-time hand-off code added as `code` (the only secret put in a URL, by design). */
export function withHandoffCode(returnTo: string, issuerOrigin: string, code: string): string {
  const url = new URL(returnTo, issuerOrigin);
  url.searchParams.set('code', code);
  return url.href;
}
