import type { Principal } from '../principal';
import { insufficientUserAuthentication } from './step-up';

/**
 * `MFA_REQUIRED_ROLES`: a route guarded by such roles accepts only a sign-in with a second factor
 * (`amr` has `mfa`). `mfaRoles` are the route's roles that are on that list; a caller admitted
 * through another of the route's roles is not asked. Credentials without `amr` (API keys, service
 * tokens) never meet it: fail closed. Throws the RFC 9470 challenge.
 */
export function assertMfaForRoles(
  principal: Pick<Principal, 'roles' | 'amr'>,
  routeRoles: readonly string[],
  mfaRoles: readonly string[],
): void {
  if (mfaRoles.length === 0 || (principal.amr ?? []).includes('mfa')) return;
  const admitting = routeRoles.filter((role) => principal.roles.includes(role));
  if (admitting.length > 0 && admitting.every((role) => mfaRoles.includes(role))) {
    throw insufficientUserAuthentication('mfa', { mfa: true });
  }
}
