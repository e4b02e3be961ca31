/**
 * Generated services take their `pg_advisory_lock` keys from 2^32 up. The hand-picked keys of the
 * auth-service (7_301_001) and the resource-service (7_301_002) are below it, so none can clash.
 */
export const GENERATED_LOCK_BASE = 2 ** 32;

/** 32-bit FNV-1a of the UTF-16 code units of `text` (service names are ASCII). */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * The advisory lock key a generated service migrates under: GENERATED_LOCK_BASE + FNV-1a(name).
 * Derived from the name alone, so it is the same on every machine and every re-run. Two names
 * share a key with odds of about 1 in 4 billion, and even then their migrations only take turns.
 */
export function migrationLockKey(name: string): number {
  return GENERATED_LOCK_BASE + fnv1a32(name);
}

/** `4_294_967_296`: a key as the numeric literal written into the generated code. */
export function numericLiteral(value: number): string {
  return String(value).replace(/\B(?=(\d{3})+(?!\d))/g, '_');
}
