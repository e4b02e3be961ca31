import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { IncomingHttpHeaders } from 'node:http';
import type { KeyObject } from 'node:crypto';
import { Strategy } from 'passport-jwt';
import {
  KEYCARD_AUTH_OPTIONS,
  KEYCARD_KEY_RESOLVER,
  KeyResolver,
  ResolvedKeycardAuthOptions,
} from '../options';
import type { Principal } from '../principal';
import {
  bearerToken,
  isWellFormedToken,
  jwtVerifyOptions,
  principalFromClaims,
  verificationKey,
} from '../token-rules';

/** Name under which the strategy registers with passport. */
export const JWT_STRATEGY = 'keycard-jwt';

/**
 * @types/passport-jwt types the key as string | Buffer, but passport-jwt hands it to
 * jsonwebtoken 9, which takes a KeyObject (no PEM round trip).
 */
type KeyCallback = (error: Error | null, key?: KeyObject) => void;

/**
 * Access tokens in `Authorization: Bearer`. The header is checked and the key found by
 * `verificationKey`, the claims mapped by `principalFromClaims`: the same functions as
 * AccessTokenVerifier, with the same jsonwebtoken options.
 */
@Injectable()
export class KeycardJwtStrategy extends PassportStrategy(Strategy, JWT_STRATEGY) {
  constructor(
    @Inject(KEYCARD_AUTH_OPTIONS) options: ResolvedKeycardAuthOptions,
    @Inject(KEYCARD_KEY_RESOLVER) keys: KeyResolver,
  ) {
    const verifyOptions = jwtVerifyOptions(options);
    super({
      jwtFromRequest: (request: { headers: IncomingHttpHeaders }) => {
        const token = bearerToken(request.headers.authorization);
        return token !== undefined && isWellFormedToken(token) ? token : null;
      },
      secretOrKeyProvider: (_request: unknown, rawJwt: string, done: unknown) => {
        const callback = done as KeyCallback;
        verificationKey(keys, rawJwt).then(
          (key) => callback(null, key),
          (error: Error) => callback(error),
        );
      },
      // passport-jwt overwrites these three from the top level, so they are passed twice.
      issuer: verifyOptions.issuer,
      audience: verifyOptions.audience,
      algorithms: verifyOptions.algorithms,
      jsonWebTokenOptions: verifyOptions,
    });
  }

  validate(payload: unknown): Principal {
    return principalFromClaims(payload);
  }
}
