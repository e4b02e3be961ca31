import type { ApiKeyEnvironment } from '@keycard/common';
import type { Principal } from '../principal';
import type { VerifiedApiKey } from './api-key-verifier';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(value: unknown, name: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new Error(`introspection answer has a bad ${name}`);
  return value;
}

/** `live` or `test`; absent from an older auth-service's answer. */
function optionalEnvironment(value: unknown): ApiKeyEnvironment | undefined {
  if (value === undefined || value === null) return undefined;
  if (value !== 'live' && value !== 'test')
    throw new Error('introspection answer has a bad environment');
  return value;
}

function requiredString(answer: Record<string, unknown>, name: string): string {
  const value = answer[name];
  if (typeof value !== 'string' || value === '')
    throw new Error(`introspection answer has no ${name}`);
  return value;
}

/**
 * Maps an RFC 7662 answer for an API key to the principal it authenticates. `{active: false}`,
 * another token type, or an `exp` already passed at `now` give null; a malformed answer throws
 * (the caller fails closed). API keys act through their scopes only: roles are always empty.
 */
export function toVerifiedApiKey(answer: unknown, now: number): VerifiedApiKey | null {
  if (!isRecord(answer)) throw new Error('introspection answer is not a JSON object');
  if (answer['active'] !== true || answer['token_type'] !== 'api_key') return null;
  const exp = optionalNumber(answer['exp'], 'exp');
  const expiresAt = exp === undefined ? undefined : exp * 1000;
  if (expiresAt !== undefined && expiresAt <= now) return null;
  const scope = answer['scope'] ?? '';
  if (typeof scope !== 'string') throw new Error('introspection answer has a bad scope');
  const rateLimit = optionalNumber(answer['rate_limit'], 'rate_limit');
  const environment = optionalEnvironment(answer['environment']);
  const principal: Principal = {
    sub: requiredString(answer, 'sub'),
    authType: 'api_key',
    roles: [],
    scopes: scope.split(' ').filter(Boolean),
    scopeRestricted: true,
    tokenId: requiredString(answer, 'key_id'),
    ...(expiresAt === undefined ? {} : { expiresAt }),
    ...(environment === undefined ? {} : { environment }),
  };
  Object.freeze(principal.roles);
  Object.freeze(principal.scopes);
  return {
    principal: Object.freeze(principal),
    ...(rateLimit !== undefined && Number.isInteger(rateLimit) && rateLimit > 0
      ? { rateLimit }
      : {}),
  };
}
