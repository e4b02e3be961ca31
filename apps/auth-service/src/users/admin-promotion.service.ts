import { Injectable } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { SYSTEM_ACTOR } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { ADMIN_ROLE } from './admin-guarded-writes';
import { UsersService } from './users.service';

/** What `promote-admin` did. */
export interface Promotion {
  userId: string;
  email: string;
  /** False when the user already was an enabled admin (nothing was written). */
  changed: boolean;
  /** True when the user was disabled and has been enabled again. */
  reenabled: boolean;
}

/**
 * The way back when no admin is left (`main.js promote-admin <email>`): makes an existing user an
 * admin and enables them, since an admin who cannot sign in restores nothing. Audited like an
 * admin's change, with the system as the actor.
 */
@Injectable()
export class AdminPromotionService {
  constructor(
    private readonly users: UsersService,
    private readonly audit: AuditService,
  ) {}

  /** 404 `not_found` for an e-mail no user has. */
  async promote(email: string): Promise<Promotion> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      throw new KeycardError(ErrorCode.NotFound, {
        message: 'No user has this e-mail address',
        reason: 'unknown e-mail',
      });
    }
    const reenabled = user.disabled;
    const changed = reenabled || !user.roles.includes(ADMIN_ROLE);
    if (changed) {
      await this.users.update(
        user.id,
        { roles: [...user.roles, ADMIN_ROLE], disabled: false },
        SYSTEM_ACTOR,
      );
      // A command exits right after: its audit events must be written first.
      await this.audit.flush();
    }
    return { userId: user.id, email: user.email, changed, reenabled };
  }
}
