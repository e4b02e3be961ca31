import { ErrorCode, KeycardError } from '@keycard/common';
import type { Principal } from '../principal';

/** What a route asks of the sign-in behind a user's token (`@RequireAuth`). */
export interface StepUpRequirement {
  /** The sign-in used a second factor: `amr` has `mfa`. */
  mfa?: boolean;
  /** The sign-in (`auth_time`) is at most this many seconds old. */
  maxAge?: number;
}

/** RFC 8176 value every second factor adds. */
const MFA = 'mfa';

/**
 * Why `principal` does not satisfy `requirement` at `now` (epoch ms): `mfa`, `max_age`, or null
 * when it does. A principal without `auth_time` (an API key, a service token) never meets
 * `maxAge`, and one without `amr` never meets `mfa`: fail closed.
 */
export function unmetStepUp(
  principal: Pick<Principal, 'amr' | 'authTime'>,
  requirement: StepUpRequirement,
  now: number,
): 'mfa' | 'max_age' | null {
  if (requirement.mfa && !(principal.amr ?? []).includes(MFA)) return 'mfa';
  if (requirement.maxAge !== undefined) {
    if (principal.authTime === undefined) return 'max_age';
    if (now - principal.authTime > requirement.maxAge * 1000) return 'max_age';
  }
  return null;
}

/**
 * The RFC 9470 challenge: 401 with `WWW-Authenticate: Bearer
 * error="insufficient_user_authentication"`, and `max_age` when the sign-in is too old, so a
 * client knows to send the user back through sign-in (OpenID Connect `max_age`) and retry.
 */
export function insufficientUserAuthentication(
  unmet: 'mfa' | 'max_age',
  requirement: StepUpRequirement,
): KeycardError {
  const description =
    unmet === 'mfa' ? 'A second factor is required' : 'A more recent sign-in is required';
  const params = [
    'error="insufficient_user_authentication"',
    `error_description="${description}"`,
    ...(requirement.maxAge !== undefined ? [`max_age="${requirement.maxAge}"`] : []),
  ];
  return new KeycardError(ErrorCode.InsufficientUserAuthentication, {
    message: description,
    reason: `step-up: ${unmet} not met`,
    headers: { 'WWW-Authenticate': `Bearer ${params.join(', ')}` },
    details: requirement.maxAge !== undefined ? { maxAge: requirement.maxAge } : {},
  });
}
