import { Injectable } from '@nestjs/common';
import { KeysService } from '../keys/keys.service';
import type { SigningKeyStatus } from '../keys/signing-key.entity';
import { SessionsService } from '../sessions/sessions.service';
import { UsersService } from '../users/users.service';
import { LabelCounts, MetricsWindow } from './metrics-window';

/** `GET /admin/overview` and the console's first screen. */
export interface AdminOverview {
  users: number;
  activeSessions: number;
  signingKeys: Record<SigningKeyStatus, number>;
  /** From this instance's metrics (not the audit trail): see `MetricsWindow`. */
  lastHour: {
    since: string;
    metricsEnabled: boolean;
    /** Tokens and credentials issued (grants), by kind. */
    issued: LabelCounts;
    /** Refused credentials, by reason. */
    failures: LabelCounts;
  };
}

/** A few numbers for the person who runs Keycard, each read from the service that owns it. */
@Injectable()
export class AdminOverviewService {
  constructor(
    private readonly users: UsersService,
    private readonly sessions: SessionsService,
    private readonly keys: KeysService,
    private readonly window: MetricsWindow,
  ) {}

  async overview(): Promise<AdminOverview> {
    const [users, activeSessions, keys, lastHour] = await Promise.all([
      this.users.count(),
      this.sessions.countLive(),
      this.keys.list(),
      this.window.lastHour(),
    ]);
    const signingKeys: Record<SigningKeyStatus, number> = {
      next: 0,
      active: 0,
      retiring: 0,
      revoked: 0,
    };
    for (const key of keys) signingKeys[key.status] += 1;
    return {
      users,
      activeSessions,
      signingKeys,
      lastHour: {
        since: new Date(lastHour.since).toISOString(),
        // Always true: the metrics registry is a required provider. Kept for API compatibility.
        metricsEnabled: true,
        issued: lastHour.issued,
        failures: lastHour.failures,
      },
    };
  }
}
