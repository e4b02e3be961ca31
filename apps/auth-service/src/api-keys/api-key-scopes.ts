import { ErrorCode, KeycardError, type ApiKeyType } from '@keycard/common';

/**
 * The scopes an API key can be granted. To add one: append it here and protect the resource route
 * with `@Scopes('<it>')`. Names are `<resource>:<action>`; `*:read` scopes are the only ones a
 * publishable (`pk`) key may hold, and `admin:*` scopes only users with role `admin` may grant.
 * The list can later come from configuration (`API_KEY_SCOPES`) through `ApiKeySettings.scopes`.
 */
export const GRANTABLE_API_KEY_SCOPES: readonly string[] = [
  'documents:read',
  'documents:write',
  'profile:read',
];

export const ADMIN_ROLE = 'admin';

export function isReadScope(scope: string): boolean {
  return scope.endsWith(':read');
}

export function isAdminScope(scope: string): boolean {
  return scope.startsWith('admin:');
}

function badScope(message: string): KeycardError {
  return new KeycardError(ErrorCode.BadRequest, { message, reason: 'API key scope refused' });
}

/** Which scopes a key of a given type and owner may hold. Pure: roles come from the caller. */
export class ApiKeyScopePolicy {
  private readonly catalogue: readonly string[];

  constructor(catalogue: readonly string[] = GRANTABLE_API_KEY_SCOPES) {
    this.catalogue = [...new Set(catalogue)];
  }

  /** Every scope this owner may put on a key of this type. */
  grantable(type: ApiKeyType, ownerRoles: readonly string[]): string[] {
    const admin = ownerRoles.includes(ADMIN_ROLE);
    return this.catalogue.filter(
      (scope) => (type === 'sk' || isReadScope(scope)) && (admin || !isAdminScope(scope)),
    );
  }

  /**
   * Scopes for a new key. Omitted: every grantable scope except `admin:*` ones (least privilege:
   * admin power is only ever granted by asking for it). Requested: 400 for an unknown scope or a
   * non-read scope on a `pk` key, 403 for an `admin:*` scope asked by a non-admin.
   */
  resolve(
    type: ApiKeyType,
    ownerRoles: readonly string[],
    requested?: readonly string[],
  ): string[] {
    if (requested === undefined) {
      return this.grantable(type, ownerRoles).filter((scope) => !isAdminScope(scope));
    }
    const scopes = [...new Set(requested)];
    const unknown = scopes.filter((scope) => !this.catalogue.includes(scope));
    if (unknown.length > 0) throw badScope(`Unknown scope: ${unknown.join(', ')}`);
    const writes = scopes.filter((scope) => !isReadScope(scope));
    if (type === 'pk' && writes.length > 0) {
      throw badScope(`A publishable key may only hold read scopes, not: ${writes.join(', ')}`);
    }
    const allowed = this.grantable(type, ownerRoles);
    if (scopes.some((scope) => !allowed.includes(scope))) {
      throw new KeycardError(ErrorCode.Forbidden, {
        message: 'You may not grant these scopes',
        reason: 'API key scopes wider than the owner',
      });
    }
    return scopes;
  }

  /**
   * Stored scopes narrowed to what the owner may hold now, so that a key never outlives its
   * owner's loss of the admin role or a scope's removal from the catalogue.
   */
  effective(type: ApiKeyType, ownerRoles: readonly string[], stored: readonly string[]): string[] {
    const allowed = this.grantable(type, ownerRoles);
    return stored.filter((scope) => allowed.includes(scope));
  }
}
