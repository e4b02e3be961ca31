import { Injectable, OnModuleInit } from '@nestjs/common';
import { UserEventsService } from '../users/user-events.service';
import { AccessTokenService } from './access-token.service';
import { decodeAmr, SignInContext } from '../auth-context/sign-in-context';
import type { RefreshFamilyEntity } from './refresh-family.entity';
import { RefreshGrant, RefreshTokensService } from './refresh-tokens.service';

/** The sign-in a refresh family started from (families older than the columns: their creation). */
export function familySignIn(
  family: Pick<RefreshFamilyEntity, 'amr' | 'authTime' | 'createdAt'>,
): SignInContext {
  return { amr: decodeAmr(family.amr), authTime: family.authTime ?? family.createdAt };
}

/** What login and refresh answer (the contract's JSON shape). */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
}

interface TokenUser {
  id: string;
  roles: string[];
}

/** Issues access + refresh token pairs for users and keeps them in step with the user's state. */
@Injectable()
export class TokensService implements OnModuleInit {
  constructor(
    private readonly access: AccessTokenService,
    private readonly refreshTokens: RefreshTokensService,
    private readonly userEvents: UserEventsService,
  ) {}

  onModuleInit(): void {
    this.userEvents.onDisabled((userId) =>
      this.refreshTokens.revokeAllForUser(userId, 'user_disabled'),
    );
  }

  /**
   * A new login for a user whose credentials were just checked; `signIn` (how and when) is kept by
   * the refresh family, so every refresh carries the same `amr` and `auth_time`.
   */
  async login(user: TokenUser, signIn: SignInContext): Promise<TokenPair> {
    const grant = await this.refreshTokens.start(user.id, { signIn });
    return this.pair(user, grant);
  }

  /**
   * Rotates a refresh token; the user is read again (with the token) so current roles apply and
   * disabled users stop.
   * A token issued to a client is refreshed only by that (authenticated) client, never anonymously.
   */
  async refresh(presented: string, clientId: string | null = null): Promise<TokenPair> {
    const { user, grant } = await this.refreshTokens.refresh(presented, clientId);
    return this.pair(user, grant);
  }

  logout(presented: string): Promise<void> {
    return this.refreshTokens.revokeFamilyOf(presented, 'logout');
  }

  logoutAll(userId: string): Promise<void> {
    return this.refreshTokens.revokeAllForUser(userId, 'logout_all');
  }

  private async pair(user: TokenUser, grant: RefreshGrant): Promise<TokenPair> {
    const { token, expiresIn } = await this.access.issue({
      sub: user.id,
      roles: user.roles,
      scope: grant.family.scope,
      sid: grant.family.id,
      signIn: familySignIn(grant.family),
      ...(grant.family.clientId ? { clientId: grant.family.clientId } : {}),
    });
    return { accessToken: token, refreshToken: grant.refreshToken, tokenType: 'Bearer', expiresIn };
  }
}
