import { Secret, TOTP } from 'otpauth';

/** RFC 6238 as authenticator apps expect it: SHA-1, six digits, 30-second steps. */
const ALGORITHM = 'SHA1';
const DIGITS = 6;
const PERIOD_SECONDS = 30;
/** 160 bits, the RFC 4226 recommendation for HMAC-SHA-1. */
export const TOTP_SECRET_BYTES = 20;
/** Codes of one step before or after the current one are accepted (clock drift, slow typing). */
const WINDOW = 1;

/** A new random secret, base32 (what an authenticator app takes). */
export function newTotpSecret(): string {
  return new Secret({ size: TOTP_SECRET_BYTES }).base32;
}

/** The `otpauth://totp/…` URL an authenticator app scans (as a QR code) or takes typed in. */
export function otpauthUrl(secretBase32: string, account: string, issuer: string): string {
  return totpFor(secretBase32, account, issuer).toString();
}

/** Whether `code` has the shape of a TOTP code (six digits), spaces allowed as typed. */
export function looksLikeTotpCode(code: string): boolean {
  return /^\d{6}$/.test(code.replace(/\s+/g, ''));
}

/**
 * The time step `code` belongs to when it is valid at `now` (±1 step) and newer than
 * `lastUsedStep`, else null. Keeping the step of the last accepted code and accepting only later
 * ones makes every code single-use, and any code of an earlier step too.
 */
export function matchTotp(
  secretBase32: string,
  code: string,
  now: number,
  lastUsedStep: number | null,
): number | null {
  const token = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(token)) return null;
  const delta = totpFor(secretBase32).validate({ token, timestamp: now, window: WINDOW });
  if (delta === null) return null;
  const step = TOTP.counter({ period: PERIOD_SECONDS, timestamp: now }) + delta;
  return lastUsedStep !== null && step <= lastUsedStep ? null : step;
}

/** The code of `secretBase32` at `now` (tests, and nothing else, need this). */
export function totpCodeAt(secretBase32: string, now: number): string {
  return totpFor(secretBase32).generate({ timestamp: now });
}

function totpFor(secretBase32: string, label = 'Keycard', issuer = 'Keycard'): TOTP {
  return new TOTP({
    issuer,
    label,
    algorithm: ALGORITHM,
    digits: DIGITS,
    period: PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}
