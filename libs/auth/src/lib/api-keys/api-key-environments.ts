import type { ApiKeyEnvironment, Env } from '@keycard/common';
import { ConfigError, envList } from '@keycard/common';
import { API_KEY_ENVIRONMENTS } from '../options';

/**
 * `API_KEY_ENVIRONMENTS`: the key environments a service accepts, comma-separated `live` and/or
 * `test` (any case); default both. For `ApiKeyOptions.environments`; anything else is a
 * `ConfigError` naming the variable.
 */
export function envApiKeyEnvironments(env: Env): readonly ApiKeyEnvironment[] {
  const listed = envList(env, 'API_KEY_ENVIRONMENTS').map((item) => item.toLowerCase());
  if (listed.length === 0) return API_KEY_ENVIRONMENTS;
  const unknown = listed.find(
    (item) => !(API_KEY_ENVIRONMENTS as readonly string[]).includes(item),
  );
  if (unknown !== undefined)
    throw new ConfigError('API_KEY_ENVIRONMENTS', `must list live and/or test, got "${unknown}"`);
  return API_KEY_ENVIRONMENTS.filter((environment) => listed.includes(environment));
}
