import type { RedirectPolicy } from './safe-redirect';

/**
 * Injection token of the `RedirectPolicy` for where a browser goes after a sign-in (Google's
 * `returnTo`, and the same target kept across the second step in `mfa/`). Provided at the root
 * (`app/settings.module.ts`), which composes it from the issuer and Google's allowlist.
 */
export const RETURN_TO_POLICY = Symbol('RETURN_TO_POLICY');

/**
 * Any path of the issuer's own origin, and absolute http(s) URLs under an `allowlist` entry
 * (`GOOGLE_RETURN_TO_ALLOWLIST`: an origin, or an origin and a path prefix).
 */
export function returnToPolicy(issuer: string, allowlist: readonly string[]): RedirectPolicy {
  const origin = new URL(issuer).origin;
  return { origin, allowed: [origin, ...allowlist] };
}
