import type { UserEntity } from './user.entity';

/** What a user may see of their own account (`/auth/register`, `/auth/me`). */
export interface PublicUser {
  id: string;
  email: string;
  name: string | null;
  roles: string[];
  emailVerified: boolean;
}

/** What an admin sees in `/admin/users`. */
export interface AdminUserView extends PublicUser {
  disabled: boolean;
  hasPassword: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toPublicUser(user: UserEntity): PublicUser {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    roles: [...user.roles],
    emailVerified: user.emailVerified,
  };
}

export function toAdminUserView(user: UserEntity): AdminUserView {
  return {
    ...toPublicUser(user),
    disabled: user.disabled,
    hasPassword: user.passwordHash !== null,
    createdAt: new Date(user.createdAt).toISOString(),
    updatedAt: new Date(user.updatedAt).toISOString(),
  };
}
