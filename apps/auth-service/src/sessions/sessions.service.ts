import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { randomUUID } from 'node:crypto';
import { Clock, ErrorCode, KeycardError, randomToken, sha256Hex } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { AuditActor, AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { authConfig, AuthSettings } from '../config/auth.config';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { UserEventsService } from '../users/user-events.service';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { passwordSignIn, SignInContext } from '../auth-context/sign-in-context';
import { isWellFormedToken } from './session-cookies';
import { SessionRecord, SessionStore, USER_AGENT_MAX_LENGTH } from './session.store';

/** `lastSeenAt` is written at most this often, so a busy session costs no write per request. */
export const TOUCH_INTERVAL_MS = 60_000;

export interface ClientInfo {
  userAgent?: string;
  ip?: string;
}

/** A new session: `token` goes into the cookie and nowhere else (no log, no body). */
export interface StartedSession {
  token: string;
  session: SessionRecord;
}

/** A live session with its user, read fresh. */
export interface ActiveSession {
  session: SessionRecord;
  user: UserEntity;
}

type SessionSettings = Pick<AuthSettings, 'sessionIdleTtl' | 'sessionTtl'>;

/**
 * The rules of browser sessions: a new session (new id, new token) at every sign-in, the idle
 * timeout and the absolute lifetime checked on every read, activity recorded at most once a
 * minute, and every session of a user ended on logout-all or when the user is disabled.
 */
@Injectable()
export class SessionsService implements OnModuleInit {
  private readonly idleMs: number;
  private readonly absoluteMs: number;

  constructor(
    private readonly store: SessionStore,
    private readonly users: UsersService,
    private readonly userEvents: UserEventsService,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) config: SessionSettings,
    private readonly audit: AuditService,
    private readonly metrics: KeycardMetrics,
    private readonly revocations: RevocationEvents,
  ) {
    this.idleMs = config.sessionIdleTtl * 1000;
    this.absoluteMs = config.sessionTtl * 1000;
  }

  onModuleInit(): void {
    this.userEvents.onDisabled(async (userId) => {
      await this.destroyAllForUser(userId);
    });
  }

  /**
   * Signs `user` in with a brand-new session. A session cookie the browser still presented is
   * ended first, whoever it belonged to, so no id chosen before sign-in survives it (fixation).
   * `signIn`: how and when the user signed in (a password just now unless told otherwise); the
   * session's tokens carry it as `amr` and `auth_time`.
   */
  async start(
    user: Pick<UserEntity, 'id'>,
    client: ClientInfo,
    presentedToken?: string,
    signIn?: SignInContext,
  ): Promise<StartedSession> {
    await this.endByToken(presentedToken);
    const now = this.clock.now();
    const { amr, authTime } = signIn ?? passwordSignIn(now);
    const token = randomToken(32);
    const session: SessionRecord = {
      id: randomUUID(),
      tokenHash: sha256Hex(token),
      userId: user.id,
      createdAt: now,
      lastSeenAt: now,
      idleExpiresAt: now + Math.min(this.idleMs, this.absoluteMs),
      expiresAt: now + this.absoluteMs,
      userAgent: (client.userAgent ?? '').slice(0, USER_AGENT_MAX_LENGTH),
      ip: (client.ip ?? '').slice(0, 64),
      csrfToken: randomToken(32),
      amr,
      authTime,
    };
    await this.store.create(session);
    this.metrics.tokensIssued.inc({ kind: 'session' });
    return { token, session };
  }

  /** The live session of a cookie value and its (enabled) user, or null. Touches at most once a minute. */
  async resolve(token: string | undefined): Promise<ActiveSession | null> {
    if (!isWellFormedToken(token)) return null;
    const session = await this.store.get(sha256Hex(token));
    if (!session) return null;
    const now = this.clock.now();
    // The store checks the deadlines it was given; this also applies a lowered SESSION_IDLE_TTL.
    if (now >= session.lastSeenAt + this.idleMs) {
      await this.store.destroy(session.id, session.userId);
      return null;
    }
    const user = await this.users.findById(session.userId);
    if (!user || user.disabled) return null;
    if (now - session.lastSeenAt >= TOUCH_INTERVAL_MS) {
      const idleExpiresAt = Math.min(now + this.idleMs, session.expiresAt);
      if (!(await this.store.touch(session.id, now, idleExpiresAt))) return null;
      return { session: { ...session, lastSeenAt: now, idleExpiresAt }, user };
    }
    return { session, user };
  }

  /**
   * Whether session `id` of `userId` is still live: the check of an access token minted from it
   * (`sid`). Read only: using such a token does not keep the session alive.
   */
  async isLive(id: string, userId: string): Promise<boolean> {
    if (!isUUID(id)) return false;
    const session = await this.store.getById(id);
    return (
      session !== null &&
      session.userId === userId &&
      this.clock.now() < session.lastSeenAt + this.idleMs
    );
  }

  /** The user's live sessions, newest first. */
  list(userId: string): Promise<SessionRecord[]> {
    return this.store.listByUser(userId);
  }

  /**
   * Ends one of the user's own sessions at once; 404 for an unknown id or someone else's. `actor`:
   * who ended it when it is not the user (an admin); the user by default.
   */
  async revoke(userId: string, id: string, actor?: AuditActor): Promise<void> {
    if (isUUID(id) && (await this.store.getById(id))?.userId === userId) {
      await this.revocations.record([{ kind: 'sid', subject: id }]);
    }
    if (!isUUID(id) || !(await this.store.destroy(id, userId))) {
      throw new KeycardError(ErrorCode.NotFound, {
        message: 'Session not found',
        reason: 'no such session of this user',
      });
    }
    void this.audit.record({
      type: AuditEventType.SessionRevoked,
      outcome: 'success',
      actor: actor ?? { type: 'user', id: userId },
      subjectId: id,
      details: { userId },
    });
  }

  /** How many sessions are live, all users together (the admin overview). */
  countLive(): Promise<number> {
    return this.store.countLive();
  }

  /** Sign-out. */
  async end(session: Pick<SessionRecord, 'id' | 'userId'>): Promise<void> {
    // The event first: a crash in between leaves the session's tokens refused, never live.
    await this.revocations.record([{ kind: 'sid', subject: session.id }]);
    await this.store.destroy(session.id, session.userId);
  }

  /**
   * Ends every session of the user (logout-all, user disabled). Idempotent. `POST
   * /auth/logout-all` calls this next to revoking the user's refresh tokens.
   */
  async destroyAllForUser(userId: string): Promise<number> {
    await this.revocations.record([{ kind: 'user_before', subject: userId }]);
    return this.store.destroyAllForUser(userId);
  }

  private async endByToken(token: string | undefined): Promise<void> {
    if (!isWellFormedToken(token)) return;
    const previous = await this.store.get(sha256Hex(token));
    if (previous) await this.end(previous);
  }
}
