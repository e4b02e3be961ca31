/**
 * How and when a user signed in: the `amr` (RFC 8176) and `auth_time` of every token minted from
 * that sign-in. A refresh family and a browser session store it, so a refresh or a session token
 * carries the values of the original sign-in, never of the refresh.
 */
export interface SignInContext {
  /** RFC 8176 method references, e.g. `["pwd"]`, `["pwd", "otp", "mfa"]`, `["hwk", "user", "mfa"]`. */
  readonly amr: readonly string[];
  /** When the sign-in completed (its last factor), epoch milliseconds. */
  readonly authTime: number;
}

/** The RFC 8176 values Keycard emits. */
export const Amr = {
  password: 'pwd',
  oneTimePassword: 'otp',
  hardwareKey: 'hwk',
  userPresence: 'user',
  multiFactor: 'mfa',
} as const;

/** The second factors a sign-in can add. */
export type SecondFactorKind = 'totp' | 'recovery_code' | 'passkey';

/** A password alone. */
export function passwordSignIn(now: number): SignInContext {
  return { amr: [Amr.password], authTime: now };
}

/** Signed in by a federated provider (Google): no RFC 8176 value describes it, so none is claimed. */
export function federatedSignIn(now: number): SignInContext {
  return { amr: [], authTime: now };
}

/**
 * A passkey used on its own (discoverable credential, user verified): possession of the key plus
 * the authenticator's own PIN or biometric, which is two factors.
 */
export function passkeySignIn(now: number): SignInContext {
  return { amr: [Amr.hardwareKey, Amr.userPresence, Amr.multiFactor], authTime: now };
}

/** `first` completed by a second factor at `now`: adds its method and `mfa` (any factor, recovery codes too). */
export function withSecondFactor(
  first: SignInContext,
  factor: SecondFactorKind,
  now: number,
): SignInContext {
  const method = factor === 'passkey' ? Amr.hardwareKey : Amr.oneTimePassword;
  return { amr: uniq([...first.amr, method, Amr.multiFactor]), authTime: now };
}

/** Whether an `amr` list shows a second factor. */
export function hasMultiFactor(amr: readonly string[] | undefined): boolean {
  return amr?.includes(Amr.multiFactor) ?? false;
}

/** The stored form (one column / one Redis field): values joined by spaces. */
export function encodeAmr(amr: readonly string[]): string {
  return amr.join(' ');
}

export function decodeAmr(stored: string | null | undefined): string[] {
  return (stored ?? '').split(' ').filter((value) => value.length > 0);
}

function uniq(values: string[]): string[] {
  return [...new Set(values)];
}

/** The sign-in a session recorded; sessions from before it was recorded count from their start. */
export function sessionSignIn(session: {
  amr?: readonly string[];
  authTime?: number;
  createdAt: number;
}): SignInContext {
  return { amr: session.amr ?? [], authTime: session.authTime ?? session.createdAt };
}
