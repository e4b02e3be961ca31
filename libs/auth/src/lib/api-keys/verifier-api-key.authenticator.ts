import type { Clock } from '@keycard/common';
import { SystemClock } from '@keycard/common';
import type { ApiKeyVerifier } from '../options';
import type { Principal } from '../principal';
import { invalidApiKey, unavailable } from './api-key-errors';
import type { ApiKeyAuthenticator } from './api-key.authenticator';

/**
 * `X-API-Key` through a custom `ApiKeyVerifier` (`KeycardAuthOptions.apiKeyVerifier`): each key
 * goes to the verifier as it is. No cache, no rate limits, no usage reports: the verifier knows
 * neither limits nor key ids (use `apiKeys` for Keycard keys).
 */
export class VerifierApiKeyAuthenticator implements ApiKeyAuthenticator {
  readonly clock: Clock = new SystemClock();
  readonly usage = undefined;

  constructor(private readonly verifier: ApiKeyVerifier) {}

  async authenticate(header: unknown): Promise<Principal> {
    if (typeof header !== 'string' || header === '')
      throw invalidApiKey('X-API-Key is empty or repeated');
    const principal = await this.verifier.verify(header).catch(unavailable);
    if (!principal) throw invalidApiKey('API key not accepted');
    return principal;
  }

  recordUse(): void {
    // Nothing to count: see the class comment.
  }

  forget(): number {
    return 0; // nothing cached: see the class comment
  }
}
