import type { Env } from '@keycard/common';
import { ConfigError, envOptional } from '@keycard/common';
import { passwordWeakness } from './password-policy';

/** The admin created at start when no user has this e-mail (`admin-bootstrap.service.ts`). */
export interface BootstrapAdmin {
  email: string;
  password: string;
}

/**
 * Injection token of the `BootstrapAdmin`, or null when `BOOTSTRAP_ADMIN_EMAIL` is not set
 * (provided at the root, `app/settings.module.ts`).
 */
export const BOOTSTRAP_ADMIN = Symbol('BOOTSTRAP_ADMIN');

/**
 * Parses `BOOTSTRAP_ADMIN_EMAIL` and `BOOTSTRAP_ADMIN_PASSWORD` once, at start-up; the password
 * meets the policy of every other path (8-128 characters, not a commonly used password).
 */
export function loadBootstrapAdmin(env: Env): BootstrapAdmin | null {
  const email = envOptional(env, 'BOOTSTRAP_ADMIN_EMAIL');
  const password = envOptional(env, 'BOOTSTRAP_ADMIN_PASSWORD');
  if (email && !password) {
    throw new ConfigError(
      'BOOTSTRAP_ADMIN_PASSWORD',
      'is required when BOOTSTRAP_ADMIN_EMAIL is set',
    );
  }
  const weakness = password ? passwordWeakness(password) : undefined;
  if (weakness) throw new ConfigError('BOOTSTRAP_ADMIN_PASSWORD', weakness);
  return email && password ? { email, password } : null;
}
