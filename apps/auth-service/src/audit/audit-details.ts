import type { AuditDetails, AuditValue } from './audit-events';

/**
 * Key names that may carry a secret (passwords, tokens, keys, codes, cookies, hashes). Such keys
 * are dropped from `details` whatever their value, so a careless caller cannot leak one into the
 * audit trail. The one hash that is wanted, of a normalized email, is allow-listed by name.
 */
const SECRET_KEY = /pass|token|secret|key|code|cookie|hash|authorization|credential|otp/i;
const ALLOWED_KEYS = new Set(['emailSha256']);
const MAX_ENTRIES = 20;
const MAX_STRING = 256;

export interface ScrubResult {
  details: AuditDetails | null;
  /** Keys that were dropped, for a warning in the log. */
  dropped: string[];
}

/** A copy of `details` without secret-looking keys, with at most 20 entries of bounded length. */
export function scrubDetails(details: AuditDetails | undefined): ScrubResult {
  if (details === undefined) return { details: null, dropped: [] };
  const dropped: string[] = [];
  const clean: AuditDetails = {};
  for (const [key, value] of Object.entries(details)) {
    if (SECRET_KEY.test(key) && !ALLOWED_KEYS.has(key)) dropped.push(key);
    else if (Object.keys(clean).length < MAX_ENTRIES) clean[key] = bounded(value);
    else dropped.push(key);
  }
  return { details: Object.keys(clean).length > 0 ? clean : null, dropped };
}

function bounded(value: AuditValue): AuditValue {
  if (typeof value === 'string') return value.slice(0, MAX_STRING);
  if (Array.isArray(value))
    return value.slice(0, MAX_ENTRIES).map((item) => String(item).slice(0, MAX_STRING));
  return value;
}
