import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { KEYCARD_API_KEYS } from '../api-keys/api-key-setup';
import type { ApiKeyAuthenticator } from '../api-keys/api-key.authenticator';
import type { VerifiedApiKey } from '../api-keys/api-key-verifier';

/** Name under which the strategy registers with passport. */
export const API_KEY_STRATEGY = 'keycard-api-key';

/** The only place an API key is read from (never the query string, never another header). */
export const API_KEY_HEADER = 'x-api-key';

/**
 * `X-API-Key` on passport-headerapikey: the expensive part of checking a key (introspection at
 * the auth-service). The guard runs it only when the key's answer is not cached; the cheap steps
 * around it (format and checksum, the rate-limit count, the cached answer, RateLimit-* headers)
 * stay in `ApiKeyAuthenticator`, so a warm key never enters passport.
 */
@Injectable()
export class KeycardApiKeyStrategy extends PassportStrategy(
  HeaderAPIKeyStrategy,
  API_KEY_STRATEGY,
) {
  constructor(@Inject(KEYCARD_API_KEYS) private readonly apiKeys: ApiKeyAuthenticator | null) {
    super({ header: API_KEY_HEADER, prefix: '' }, false);
  }

  /** The verified key, or `false` (passport's "not accepted") for an unknown or inactive key. */
  async validate(apiKey: string): Promise<VerifiedApiKey | false> {
    if (this.apiKeys === null) return false;
    return (await this.apiKeys.check(apiKey)) ?? false;
  }
}
