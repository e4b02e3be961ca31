import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { ErrorCode, KeycardError } from '@keycard/common';
import { HeaderAPIKeyStrategy } from 'passport-headerapikey';
import { KEYCARD_AUTH_OPTIONS, ResolvedKeycardAuthOptions } from '../options';
import type { Principal } from '../principal';

/** Name under which the strategy registers with passport. */
export const API_KEY_STRATEGY = 'keycard-api-key';
/** The only place an API key is read from (never the query string). */
export const API_KEY_HEADER = 'x-api-key';

/** `X-API-Key`, checked by the configured ApiKeyVerifier. */
@Injectable()
export class KeycardApiKeyStrategy extends PassportStrategy(
  HeaderAPIKeyStrategy,
  API_KEY_STRATEGY,
) {
  constructor(@Inject(KEYCARD_AUTH_OPTIONS) private readonly options: ResolvedKeycardAuthOptions) {
    super({ header: API_KEY_HEADER, prefix: '' }, false);
  }

  async validate(apiKey: string): Promise<Principal> {
    const verifier = this.options.apiKeyVerifier;
    const principal = verifier ? await verifier.verify(apiKey) : null;
    if (!principal)
      throw new KeycardError(ErrorCode.InvalidApiKey, { reason: 'API key not accepted' });
    return principal;
  }
}
