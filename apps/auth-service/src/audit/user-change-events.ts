import type { AuditRecord } from './audit-events';
import { AuditEventType } from './audit-events';

export interface UserState {
  roles: readonly string[];
  disabled: boolean;
}

/** The audit events of an admin change to a user: one per thing that actually changed. */
export function userChangeEvents(
  userId: string,
  before: UserState,
  after: UserState,
): AuditRecord[] {
  const events: AuditRecord[] = [];
  const rolesBefore = [...before.roles].sort();
  const rolesAfter = [...after.roles].sort();
  if (rolesBefore.join(' ') !== rolesAfter.join(' ')) {
    events.push({
      type: AuditEventType.UserRolesChanged,
      outcome: 'success',
      subjectId: userId,
      details: { before: rolesBefore, after: rolesAfter },
    });
  }
  if (before.disabled !== after.disabled) {
    events.push({
      type: after.disabled ? AuditEventType.UserDisabled : AuditEventType.UserEnabled,
      outcome: 'success',
      subjectId: userId,
    });
  }
  return events;
}
