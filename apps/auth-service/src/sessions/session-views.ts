import type { PublicUser } from '../users/public-user';
import type { SessionRecord } from './session.store';

/** An entry of `GET /sessions`: the public handle, never the cookie value or its hash. */
export interface SessionView {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  userAgent: string;
  ip: string;
  current: boolean;
}

/** The answer to a JSON sign-in and to `GET /session`. */
export interface CurrentSessionView {
  id: string;
  user: PublicUser;
  /** Send it back as `X-CSRF-Token` on every state-changing request made with the cookie. */
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export interface SessionAccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

export function toSessionView(session: SessionRecord, currentId: string | undefined): SessionView {
  return {
    id: session.id,
    createdAt: new Date(session.createdAt).toISOString(),
    lastSeenAt: new Date(session.lastSeenAt).toISOString(),
    userAgent: session.userAgent,
    ip: session.ip,
    current: session.id === currentId,
  };
}

export function toCurrentSessionView(session: SessionRecord, user: PublicUser): CurrentSessionView {
  return {
    id: session.id,
    user,
    csrfToken: session.csrfToken,
    createdAt: new Date(session.createdAt).toISOString(),
    expiresAt: new Date(Math.min(session.expiresAt, session.idleExpiresAt)).toISOString(),
  };
}
