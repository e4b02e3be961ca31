import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { Clock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { authConfig, AuthSettings } from '../config/auth.config';
import { KeysService } from '../keys/keys.service';
import { RevocationEvents } from '../revocation/revocation-events.service';
import type { SignInContext } from '../auth-context/sign-in-context';

export interface AccessTokenSubject {
  /** User id, or the client id for a service. */
  sub: string;
  roles: string[];
  scope: string;
  clientId?: string;
  /** The login this token belongs to (refresh family or browser session). */
  sid?: string;
  /** How and when the user signed in (`amr`, `auth_time`); absent for service tokens. */
  signIn?: SignInContext;
}

export interface IssuedAccessToken {
  token: string;
  expiresIn: number;
  jti: string;
}

/** Mints RS256 access tokens in the RFC 9068 profile with the active signing key. */
@Injectable()
export class AccessTokenService {
  constructor(
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
    private readonly keys: KeysService,
    private readonly clock: Clock,
    private readonly metrics: KeycardMetrics,
    private readonly revocations: RevocationEvents,
  ) {}

  async issue(subject: AccessTokenSubject): Promise<IssuedAccessToken> {
    const { kid, privateKey } = await this.keys.getSigningKey();
    // Never inside the second of a revocation of the user, which verifiers refuse whole.
    const iat = Math.max(
      Math.floor(this.clock.now() / 1000),
      this.revocations.issuedAtFloor(subject.sub) ?? 0,
    );
    const expiresIn = this.config.accessTokenTtl;
    const jti = randomUUID();
    const claims = {
      iss: this.config.issuer,
      sub: subject.sub,
      aud: this.config.audience,
      iat,
      exp: iat + expiresIn,
      jti,
      roles: subject.roles,
      scope: subject.scope,
      ...(subject.clientId ? { client_id: subject.clientId } : {}),
      ...(subject.sid ? { sid: subject.sid } : {}),
      ...(subject.signIn
        ? {
            amr: [...subject.signIn.amr],
            auth_time: Math.floor(subject.signIn.authTime / 1000),
          }
        : {}),
    };
    const token = sign(claims, privateKey, {
      algorithm: 'RS256',
      header: { alg: 'RS256', typ: 'at+jwt', kid },
    });
    this.metrics.tokensIssued.inc({ kind: 'access' });
    return { token, expiresIn, jti };
  }
}
