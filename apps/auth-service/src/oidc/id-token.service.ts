import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { sign } from 'jsonwebtoken';
import { Clock } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { KeysService } from '../keys/keys.service';
import type { UserEntity } from '../users/user.entity';
import type { SignInContext } from '../auth-context/sign-in-context';

export type ClaimsUser = Pick<UserEntity, 'id' | 'email' | 'emailVerified' | 'name'>;

/** The claims of `user` a scope list grants (OpenID Connect Core §5.4), for ID tokens and userinfo. */
export function scopedClaims(user: ClaimsUser, scopes: readonly string[]): Record<string, unknown> {
  return {
    sub: user.id,
    ...(scopes.includes('email') ? { email: user.email, email_verified: user.emailVerified } : {}),
    ...(scopes.includes('profile') && user.name !== null ? { name: user.name } : {}),
  };
}

export interface IdTokenInput {
  user: ClaimsUser;
  clientId: string;
  scopes: readonly string[];
  sid: string;
  signIn: SignInContext;
  nonce: string | null;
}

/** Signs tokens for apps with the active key: ID tokens and back-channel logout tokens. */
@Injectable()
export class IdTokenService {
  constructor(
    @Inject(authConfig.KEY)
    private readonly config: Pick<AuthSettings, 'issuer' | 'accessTokenTtl'>,
    private readonly keys: KeysService,
    private readonly clock: Clock,
  ) {}

  /** An ID token (OpenID Connect Core §2), valid as long as an access token. */
  idToken(input: IdTokenInput): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    return this.sign(
      {
        ...scopedClaims(input.user, input.scopes),
        iss: this.config.issuer,
        aud: input.clientId,
        iat,
        exp: iat + this.config.accessTokenTtl,
        auth_time: Math.floor(input.signIn.authTime / 1000),
        ...(input.nonce !== null ? { nonce: input.nonce } : {}),
        sid: input.sid,
        amr: [...input.signIn.amr],
      },
      'JWT',
    );
  }

  /** A logout token (Back-Channel Logout 1.0 §2.4): no `nonce`, the logout event, `sid` and `sub`. */
  logoutToken(input: { clientId: string; userId: string; sid: string }): Promise<string> {
    const iat = Math.floor(this.clock.now() / 1000);
    return this.sign(
      {
        iss: this.config.issuer,
        aud: input.clientId,
        iat,
        exp: iat + 120,
        jti: randomUUID(),
        sub: input.userId,
        sid: input.sid,
        events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      },
      'logout+jwt',
    );
  }

  private async sign(claims: Record<string, unknown>, typ: string): Promise<string> {
    const { kid, privateKey } = await this.keys.getSigningKey();
    return sign(claims, privateKey, { algorithm: 'RS256', header: { alg: 'RS256', typ, kid } });
  }
}
