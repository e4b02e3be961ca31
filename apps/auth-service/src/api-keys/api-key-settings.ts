import { GRANTABLE_API_KEY_SCOPES } from './api-key-scopes';

/** Requests a minute for a key without its own limit, until `API_KEY_RATE_LIMIT` overrides it. */
export const DEFAULT_API_KEY_RATE_LIMIT = 600;
export const MAX_API_KEY_RATE_LIMIT = 100_000;
export const DEFAULT_ROTATION_GRACE_SECONDS = 86_400;
export const MAX_ROTATION_GRACE_SECONDS = 30 * 86_400;

/** Injection token of the `ApiKeySettings` in use. */
export const API_KEY_SETTINGS = Symbol('API_KEY_SETTINGS');

export interface ApiKeySettings {
  /** Requests a minute for keys without their own `rateLimit`. */
  defaultRateLimit: number;
  /** The catalogue of grantable scopes. */
  scopes: readonly string[];
}

/** The optional settings the auth-service config may carry (`API_KEY_RATE_LIMIT`, `API_KEY_SCOPES`). */
export interface ApiKeyConfigSource {
  apiKeyRateLimit?: number;
  apiKeyScopes?: readonly string[];
}

/** Settings from the typed config, with the built-in defaults for what it does not set. */
export function apiKeySettingsFrom(config: ApiKeyConfigSource): ApiKeySettings {
  return {
    defaultRateLimit: config.apiKeyRateLimit ?? DEFAULT_API_KEY_RATE_LIMIT,
    scopes:
      config.apiKeyScopes && config.apiKeyScopes.length > 0
        ? config.apiKeyScopes
        : GRANTABLE_API_KEY_SCOPES,
  };
}
