import type { Principal } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import type { UserEntity } from '../users/user.entity';
import type { UsersService } from '../users/users.service';

/** The user behind `principal`; only people have second factors (not a client token, not an API key). */
export function personOf(
  users: Pick<UsersService, 'get'>,
  principal: Principal,
): Promise<UserEntity> {
  if (principal.scopeRestricted || principal.authType === 'api_key') {
    throw new KeycardError(ErrorCode.Forbidden, { reason: 'not a user principal' });
  }
  return users.get(principal.sub);
}
