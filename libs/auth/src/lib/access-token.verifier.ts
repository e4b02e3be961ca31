import { Inject, Injectable } from '@nestjs/common';
import { invalidToken } from '@keycard/common';
import { verify } from 'jsonwebtoken';
import {
  KEYCARD_AUTH_OPTIONS,
  KEYCARD_KEY_RESOLVER,
  KeyResolver,
  ResolvedKeycardAuthOptions,
} from './options';
import type { Principal } from './principal';
import {
  AccessTokenVerifyOptions,
  jwtVerifyOptions,
  principalFromClaims,
  verificationKey,
} from './token-rules';

/**
 * Verifies one access token: the guard's check of a bearer token not yet cached, and the same
 * check outside of a request (e.g. for introspection). Throws `invalidToken(reason)` when the
 * token does not verify.
 */
@Injectable()
export class AccessTokenVerifier {
  private readonly verifyOptions: AccessTokenVerifyOptions;

  constructor(
    @Inject(KEYCARD_AUTH_OPTIONS) options: ResolvedKeycardAuthOptions,
    @Inject(KEYCARD_KEY_RESOLVER) private readonly keys: KeyResolver,
  ) {
    this.verifyOptions = jwtVerifyOptions(options);
  }

  async verify(token: string): Promise<Principal> {
    const key = await verificationKey(this.keys, token);
    let payload: unknown;
    try {
      payload = verify(token, key, this.verifyOptions);
    } catch (error) {
      throw invalidToken(error instanceof Error ? error.message : 'verification failed');
    }
    return principalFromClaims(payload);
  }
}
