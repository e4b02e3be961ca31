/**
 * One browser session as the stores keep it. Only the SHA-256 of the cookie value is stored
 * (`tokenHash`); `id` is a separate random handle that may be shown and used to revoke the
 * session, and never authenticates anything by itself. Times are epoch milliseconds.
 */
export interface SessionRecord {
  /** Public handle (a random UUID): listed in `/sessions`, the `sid` of tokens minted from it. */
  id: string;
  /** SHA-256 hex of the cookie value. */
  tokenHash: string;
  userId: string;
  createdAt: number;
  /** Updated at most once a minute, not on every request. */
  lastSeenAt: number;
  /** `lastSeenAt` + the idle timeout: the session ends here unless it is used again. */
  idleExpiresAt: number;
  /** Absolute end, however busy the session is. */
  expiresAt: number;
  /** Truncated to `USER_AGENT_MAX_LENGTH`; empty when the browser sent none. */
  userAgent: string;
  ip: string;
  /** What every state-changing request authenticated by this session must echo back. */
  csrfToken: string;
  /** RFC 8176 methods of the sign-in that started the session (`auth-context/sign-in-context.ts`); none when absent. */
  amr?: readonly string[];
  /** When that sign-in completed, epoch ms; `createdAt` when absent. */
  authTime?: number;
}

export const USER_AGENT_MAX_LENGTH = 256;

/** Whether a session may still be used at `now`: before both its idle and its absolute end. */
export function isSessionLive(
  record: Pick<SessionRecord, 'idleExpiresAt' | 'expiresAt'>,
  now: number,
): boolean {
  return now < record.idleExpiresAt && now < record.expiresAt;
}

/**
 * Where sessions live: the auth-service's own database, or Redis when `REDIS_URL` is set. Every
 * implementation passes `session-store.contract.ts`. Reads never return a session that is past
 * its idle or absolute end by the injected `Clock`, whatever the backend's own expiry did.
 */
export abstract class SessionStore {
  /** Stores a new session (ids and token hashes are unique). */
  abstract create(record: SessionRecord): Promise<void>;

  /** The live session whose cookie hashes to `tokenHash`, or null. */
  abstract get(tokenHash: string): Promise<SessionRecord | null>;

  /** The live session with public id `id`, or null: the `sid` of an access token minted from it. */
  abstract getById(id: string): Promise<SessionRecord | null>;

  /**
   * Records activity: new `lastSeenAt` and idle end (never beyond `expiresAt`, which stays).
   * False when the session is gone or no longer live.
   */
  abstract touch(id: string, lastSeenAt: number, idleExpiresAt: number): Promise<boolean>;

  /** Ends session `id` if it belongs to `userId`; true when this call ended it. */
  abstract destroy(id: string, userId: string): Promise<boolean>;

  /** The user's live sessions, newest first. */
  abstract listByUser(userId: string): Promise<SessionRecord[]>;

  /** Ends every session of the user; returns how many there were. */
  abstract destroyAllForUser(userId: string): Promise<number>;

  /** How many sessions are live, all users together (the admin overview); may walk them all. */
  abstract countLive(): Promise<number>;
}
