import { ErrorCode, invalidToken, KeycardError } from '@keycard/common';
import type { Principal } from '../principal';
import type { RevocationFollower } from './revocation-follower';
import { FAIL_CLOSED_LAG_SECONDS } from './revocation-follower';

/**
 * The guard's revocation step for a verified principal: 401 (`invalid_token`, or
 * `invalid_api_key` for a key) when the auth-service revoked it. Map lookups only.
 */
export function refuseRevoked(follower: RevocationFollower | null, principal: Principal): void {
  if (follower === null || !follower.refuses(principal)) return;
  if (principal.authType === 'api_key')
    throw new KeycardError(ErrorCode.InvalidApiKey, { reason: 'API key revoked' });
  throw invalidToken('revoked (its login, user, client or signing key)');
}

/** With `REVOCATION_FAIL_CLOSED`: 503 while the verifier is more than 30 s behind the log. */
export function refuseWhileBehind(follower: RevocationFollower | null): void {
  if (follower === null || !follower.tooFarBehind()) return;
  throw new KeycardError(ErrorCode.Unavailable, {
    reason: `revocations more than ${FAIL_CLOSED_LAG_SECONDS} s behind (REVOCATION_FAIL_CLOSED)`,
    headers: { 'Retry-After': '5' },
  });
}
