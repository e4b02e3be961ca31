import type { UserEntity } from '../users/user.entity';

/** The second factors a sign-in may ask for, from `users.mfa_methods` (`totp`, `passkey`). */
export function mfaMethodsOf(user: Pick<UserEntity, 'mfaMethods'>): string[] {
  return (user.mfaMethods ?? '').split(' ').filter(Boolean);
}
