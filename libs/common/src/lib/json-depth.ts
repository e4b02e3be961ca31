/** Deepest nesting of arrays and objects a JSON request body may have (the contract's 400 above). */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }

/**
 * Whether the JSON text `body` opens more than `limit` arrays or objects inside each other.
 * One pass over the bytes, no recursion and no allocation, so it can run before anything parses
 * or walks the body (class-transformer and class-validator recurse, and overflow the stack on
 * thousands of levels). Brackets inside strings do not count; malformed JSON is left to the parser.
 * UTF-8 safe: no byte of a multi-byte character is below 0x80.
 */
export function exceedsJsonDepth(body: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
