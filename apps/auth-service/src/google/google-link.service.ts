import { Injectable } from '@nestjs/common';
import { ErrorCode, KeycardError, randomToken } from '@keycard/common';
import { PasswordLoginService } from '../auth/password-login.service';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { GoogleAccountsService, VerifiedGoogleAccount } from './google-accounts.service';
import { GoogleSignInFailure } from './google-failure';
import { GoogleGrantsStore } from './google-grants.store';

/** How long the "enter this account's password" step waits. */
export const LINK_TTL_MS = 10 * 60_000;

/** Where a sign-in goes once someone is signed in: a session, or a hand-off code for an app. */
export interface SignInTarget {
  mode: 'session' | 'code';
  returnTo: string;
}

/**
 * The step between a Google sign-in and an existing account whose address is not verified: the
 * link waits (server-side, under a key only this browser holds) until that account's password is
 * given — checked by the password login, so throttled per account and per IP like any sign-in.
 */
@Injectable()
export class GoogleLinkService {
  constructor(
    private readonly grants: GoogleGrantsStore,
    private readonly accounts: GoogleAccountsService,
    private readonly users: UsersService,
    private readonly passwordLogin: PasswordLoginService,
  ) {}

  /** Stores the pending link; the returned key goes to the browser (cookie) and nowhere else. */
  async offer(
    user: UserEntity,
    account: VerifiedGoogleAccount,
    target: SignInTarget,
  ): Promise<string> {
    const key = randomToken(32);
    await this.grants.put(
      'link',
      key,
      {
        userId: user.id,
        sub: account.sub,
        email: account.email,
        name: account.name ?? '',
        mode: target.mode,
        returnTo: target.returnTo,
      },
      LINK_TTL_MS,
    );
    return key;
  }

  /** The address of the account waiting for its password, or null (no, used or expired link). */
  async pendingEmail(key: string | undefined): Promise<string | null> {
    const grant = key === undefined ? null : await this.grants.peek('link', key);
    const user = grant ? await this.users.findById(grant['userId']) : null;
    return user?.email ?? null;
  }

  /**
   * Links once `password` is the account's: a wrong one throws the login's 401 (and counts
   * towards its lockout) and leaves the link waiting; a right one uses the link up.
   */
  async confirm(
    key: string | undefined,
    password: string,
    ip: string,
  ): Promise<{ user: UserEntity; target: SignInTarget }> {
    const grant = key === undefined ? null : await this.grants.peek('link', key);
    const user = grant ? await this.users.findById(grant['userId']) : null;
    if (!grant || !user || key === undefined) {
      throw new GoogleSignInFailure('state', 'unknown, used or expired link');
    }
    const proven = await this.checkPassword(user, password, ip);
    if (proven.id !== user.id || (await this.grants.take('link', key)) === null) {
      throw new GoogleSignInFailure('state', 'link already used or account changed');
    }
    const account = { sub: grant['sub'], email: grant['email'], name: grant['name'] || undefined };
    return {
      user: await this.accounts.link(proven, account),
      target: { mode: grant['mode'] === 'code' ? 'code' : 'session', returnTo: grant['returnTo'] },
    };
  }

  /**
   * The password login's check (throttle, audit). `REQUIRE_VERIFIED_EMAIL` refuses an unverified
   * address only after the right password; here Google has just proven the address, which is
   * what the link records, so that refusal means "right password".
   */
  private async checkPassword(user: UserEntity, password: string, ip: string): Promise<UserEntity> {
    try {
      return await this.passwordLogin.authenticate(user.email, password, ip, 'session');
    } catch (error) {
      if (error instanceof KeycardError && error.code === ErrorCode.EmailNotVerified) return user;
      throw error;
    }
  }
}
