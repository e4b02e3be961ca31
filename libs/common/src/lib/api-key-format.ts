import { randomBytes } from 'node:crypto';
import { sha256Hex } from './crypto';

/** `sk` keys are secret (servers only); `pk` keys are publishable and may hold read scopes only. */
export type ApiKeyType = 'sk' | 'pk';
export type ApiKeyEnvironment = 'live' | 'test';

export interface GeneratedApiKey {
  /** The whole key: shown to its owner once, then only its hash is kept. */
  key: string;
  /** What may be displayed and stored in the clear (`sk_live_AbCd`). */
  prefix: string;
}

export interface ParsedApiKey {
  type: ApiKeyType;
  environment: ApiKeyEnvironment;
  /** The random part, without prefix or checksum. */
  body: string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_BYTES = 32;
/**
 * 32 random bytes are 256 bits (the contract asks for at least 192). Base62 carries
 * log2(62) ≈ 5.954 bits a character, and 62^43 ≈ 2^256.03 ≥ 2^256, so 43 characters hold any
 * 32-byte value: the random part is always exactly 43 characters (zero-padded).
 */
export const API_KEY_RANDOM_LENGTH = 43;
/** CRC32 is below 2^32 < 62^6, so 6 base62 characters (zero-padded) always hold it. */
export const API_KEY_CHECKSUM_LENGTH = 6;
export const API_KEY_DISPLAY_PREFIX_LENGTH = 12;
/** `sk_live_` + 43 random + 6 checksum = 57 characters. */
export const API_KEY_PATTERN = /^(sk|pk)_(live|test)_([0-9A-Za-z]{43})([0-9A-Za-z]{6})$/;

const CRC32_TABLE = buildCrc32Table();
const BASE62_VALUE = buildBase62Values();
const API_KEY_LENGTH = 'sk_live_'.length + API_KEY_RANDOM_LENGTH + API_KEY_CHECKSUM_LENGTH;

/** Digit values by character code (only base62 characters are ever looked up). */
function buildBase62Values(): Uint8Array {
  const values = new Uint8Array(128);
  for (let i = 0; i < BASE62.length; i++) values[BASE62.charCodeAt(i)] = i;
  return values;
}

function buildCrc32Table(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/**
 * CRC-32 (IEEE 802.3, the zlib/PNG polynomial) of the UTF-8 bytes of `text`, unsigned.
 * Table-driven because `zlib.crc32` only exists from Node 22.2.
 */
export function crc32(text: string): number {
  let crc = 0xffffffff;
  // Indexed loops: this runs on every API-key request, where a Buffer iterator costs more than the CRC.
  if (/^[ -~]*$/.test(text)) {
    for (let i = 0; i < text.length; i++)
      crc = CRC32_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  } else {
    const bytes = Buffer.from(text, 'utf8');
    for (let i = 0; i < bytes.length; i++) crc = CRC32_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function toBase62(value: bigint, length: number): string {
  let out = '';
  let rest = value;
  while (rest > 0n) {
    out = BASE62[Number(rest % 62n)] + out;
    rest /= 62n;
  }
  return out.padStart(length, BASE62[0]);
}

/** A CRC32 (below 2^32) in base62: plain numbers are exact here, no BigInt needed. */
function checksumOf(text: string): string {
  let rest = crc32(text);
  let out = '';
  for (let i = 0; i < API_KEY_CHECKSUM_LENGTH; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

/**
 * A new API key `{type}_{environment}_{random}{checksum}`: 256 random bits in 43 base62
 * characters, then 6 base62 characters of the CRC32 of everything before them, so scanners and
 * services can tell a real key from a mistyped one offline.
 */
export function generateApiKey(type: ApiKeyType, environment: ApiKeyEnvironment): GeneratedApiKey {
  const random = toBase62(
    BigInt(`0x${randomBytes(RANDOM_BYTES).toString('hex')}`),
    API_KEY_RANDOM_LENGTH,
  );
  const unchecked = `${type}_${environment}_${random}`;
  const key = `${unchecked}${checksumOf(unchecked)}`;
  return { key, prefix: apiKeyDisplayPrefix(key) };
}

/**
 * The parts of a well-formed key, or null when the shape or the checksum is wrong. Never throws
 * (also not for non-string input). The checksum is public, so a plain comparison is fine.
 */
export function parseApiKey(text: unknown): ParsedApiKey | null {
  if (typeof text !== 'string' || text.length !== API_KEY_LENGTH) return null;
  const match = API_KEY_PATTERN.exec(text);
  if (!match) return null;
  // Runs on every API-key request: the CRC is compared as a number, without building strings.
  const end = API_KEY_LENGTH - API_KEY_CHECKSUM_LENGTH;
  if (crc32OfAscii(text, end) !== base62Value(text, end)) return null;
  const [, type, environment, body] = match;
  return { type: type as ApiKeyType, environment: environment as ApiKeyEnvironment, body };
}

/** CRC-32 of `text`'s first `end` characters, which the key pattern has already shown to be ASCII. */
function crc32OfAscii(text: string, end: number): number {
  let crc = 0xffffffff;
  for (let i = 0; i < end; i++) crc = CRC32_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * The number written in base62 from `start` to the end of `text` (the checksum). 62^6 < 2^53, so
 * it is exact; every CRC has exactly one 6-character form, so equal numbers mean equal checksums.
 */
function base62Value(text: string, start: number): number {
  let value = 0;
  for (let i = start; i < text.length; i++) value = value * 62 + BASE62_VALUE[text.charCodeAt(i)];
  return value;
}

/** The first 12 characters (`sk_live_AbCd`): enough to recognise a key in a list, useless to an attacker. */
export function apiKeyDisplayPrefix(key: string): string {
  return key.slice(0, API_KEY_DISPLAY_PREFIX_LENGTH);
}

/** SHA-256 hex of the whole key: the only form in which a key is stored and looked up. */
export function hashApiKey(key: string): string {
  return sha256Hex(key);
}
