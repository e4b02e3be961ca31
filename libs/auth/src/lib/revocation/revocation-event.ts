/**
 * The wire format of revocation events, shared by the auth-service (which writes and serves them)
 * and every verifier (which follows them). One event says what stopped being valid and from when.
 */

/**
 * - `sid`: every access token of that login (refresh family or browser session).
 * - `user_before`: every access token of that user issued before `at`.
 * - `api_key`: the API key with that id, from `at` on (a rotation's grace end may lie ahead).
 * - `client`: every access token issued to that client before `at`.
 * - `kid`: every token signed by that key.
 */
export type RevocationKind = 'sid' | 'user_before' | 'api_key' | 'client' | 'kid';

export const REVOCATION_KINDS: readonly RevocationKind[] = [
  'sid',
  'user_before',
  'api_key',
  'client',
  'kid',
];

export interface RevocationEvent {
  /** Position in the auth-service's log: increasing, the order the revocations committed in. */
  id: number;
  kind: RevocationKind;
  subject: string;
  /** Epoch ms: when the revocation took (or takes) effect. */
  at: number;
  /** Epoch ms: after this no token the event covers can still be valid; verifiers forget it. */
  expiresAt: number;
}

/** Prefix of the Redis pub/sub channel the auth-service publishes events and heartbeats on. */
export const REVOCATION_CHANNEL = 'keycard:revocations';

/**
 * The channel of one issuer (`keycard:revocations:<issuer>`): deployments sharing a Redis never
 * hear each other's log positions.
 */
export function revocationChannel(issuer: string): string {
  return `${REVOCATION_CHANNEL}:${issuer}`;
}

/**
 * A message of the stream or the channel: an event (on the channel with `after`, the id of the
 * event before it in the log), or a heartbeat naming the log's head.
 */
export type RevocationMessage =
  | { type: 'event'; event: RevocationEvent; after?: number }
  | { type: 'heartbeat'; head: number };

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function wholeNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** The event in `value`, or undefined when it is not a well-formed event (it is then ignored). */
export function parseRevocationEvent(value: unknown): RevocationEvent | undefined {
  if (!isRecord(value)) return undefined;
  const { id, kind, subject, at, expiresAt } = value;
  if (!wholeNumber(id) || !wholeNumber(at) || !wholeNumber(expiresAt)) return undefined;
  if (typeof kind !== 'string' || !(REVOCATION_KINDS as readonly string[]).includes(kind))
    return undefined;
  if (typeof subject !== 'string' || subject === '' || subject.length > 200) return undefined;
  return { id, kind: kind as RevocationKind, subject, at, expiresAt };
}

/** A channel or stream message; undefined for anything malformed. */
export function parseRevocationMessage(text: string): RevocationMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  if (value['type'] === 'heartbeat' && wholeNumber(value['head']))
    return { type: 'heartbeat', head: value['head'] };
  if (value['type'] !== 'event') return undefined;
  const event = parseRevocationEvent(value['event']);
  if (event === undefined) return undefined;
  const after = value['after'];
  return wholeNumber(after) ? { type: 'event', event, after } : { type: 'event', event };
}

/**
 * The first instant (epoch ms) from which tokens of a `user_before` or `client` event at `at` are
 * valid again. `iat` has whole seconds, so a token of the revocation's own second cannot be told
 * apart from one minted just before it: the whole second is refused, and the auth-service never
 * stamps a newer token of that user with an earlier `iat`.
 */
export function validFrom(at: number): number {
  return Math.floor(at / 1000) * 1000 + 1000;
}
