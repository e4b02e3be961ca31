/** Deepest nesting of arrays and objects a JSON request body may have (the contract's 400 above). */
export const MAX_JSON_DEPTH = 32;

const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \
const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }

/** Index of the quote that closes the string opened at `open` (one not escaped), or -1. */
function closingQuote(body: Uint8Array, open: number): number {
  for (
    let quote = body.indexOf(QUOTE, open + 1);
    quote !== -1;
    quote = body.indexOf(QUOTE, quote + 1)
  ) {
    let backslashes = 0;
    while (body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
  }
  return -1;
}

/**
 * Whether the JSON text `body` opens more than `limit` arrays or objects inside each other.
 * One pass over the bytes, no recursion and no allocation, so it can run before anything parses
 * or walks the body (class-transformer and class-validator recurse, and overflow the stack on
 * thousands of levels). Strings are skipped with a native search for their closing quote, so
 * brackets inside them do not count and a long string costs next to nothing; malformed JSON is
 * left to the parser. UTF-8 safe: no byte of a multi-byte character is below 0x80.
 */
export function exceedsJsonDepth(body: Uint8Array, limit = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (byte === QUOTE) {
      i = closingQuote(body, i);
      if (i === -1) return false;
    } else if (byte === OPEN_ARRAY || byte === OPEN_OBJECT) {
      if (++depth > limit) return true;
    } else if (byte === CLOSE_ARRAY || byte === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
