import { returnToPolicy } from '../web/return-to-policy';
import { safeRedirect } from '../web/safe-redirect';

/**
 * Where to send the browser after a Google sign-in, or null when `value` is not allowed (the
 * caller falls back to `/account`, or refuses `mode=code`). The rule is `safeRedirect`'s: any
 * path of the issuer's own origin, and absolute http(s) URLs under a `GOOGLE_RETURN_TO_ALLOWLIST`
 * entry (an origin, or an origin and a path prefix), compared after normalisation.
 */
export function safeReturnTo(
  value: string | undefined,
  issuerOrigin: string,
  allowlist: readonly string[],
): string | null {
  return safeRedirect(value, returnToPolicy(issuerOrigin, allowlist));
}

/** `returnTo` with the one-time hand-off code added as `code` (the only secret put in a URL, by design). */
export function withHandoffCode(returnTo: string, issuerOrigin: string, code: string): string {
  const url = new URL(returnTo, issuerOrigin);
  url.searchParams.set('code', code);
  return url.href;
}
