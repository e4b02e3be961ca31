import { Inject, Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { Clock, constantTimeEqual, ErrorCode, KeycardError, randomToken } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { GoogleAccountsService } from './google-accounts.service';
import { GoogleSignInFailure } from './google-failure';
import { GoogleGrantsStore } from './google-grants.store';
import { GoogleLinkService, SignInTarget } from './google-link.service';
import type { GoogleSettings } from './google-settings';
import { GOOGLE_SETTINGS } from './google-settings';
import { GOOGLE_SCOPES, GoogleStrategy, GoogleUserInfo } from './google.strategy';
import { GoogleTokenClient } from './google-token.client';
import { safeReturnTo, withHandoffCode } from './return-to';

/** A sign-in in progress lives this long (Google's consent screen can take a while). */
export const TRANSACTION_TTL_MS = 10 * 60_000;
/** The SPA hand-off code is single use and lives one minute. */
export const HANDOFF_TTL_MS = 60_000;

export interface CallbackQuery {
  state?: unknown;
  code?: unknown;
  error?: unknown;
}

/** Signed in (a session to start, or a hand-off redirect), or waiting for an account's password. */
export type SignInOutcome =
  | { mode: 'session'; user: UserEntity; returnTo: string }
  | { mode: 'code'; user: UserEntity; redirect: string }
  | { mode: 'link'; key: string };

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * The rules of "Sign in with Google": the transaction (state bound to the browser, PKCE S256,
 * nonce, validated returnTo), the checks of the callback, and the one-time SPA hand-off code.
 */
@Injectable()
export class GoogleSignInService {
  private readonly logger = new Logger('GoogleSignIn');
  private readonly tokens: GoogleTokenClient | null;
  private readonly issuerOrigin: string;
  private readonly settings: GoogleSettings | undefined;

  constructor(
    @Inject(authConfig.KEY) config: AuthSettings,
    @Inject(GOOGLE_SETTINGS) settings: GoogleSettings | null,
    @Inject(GoogleStrategy) private readonly strategy: GoogleStrategy | null,
    private readonly grants: GoogleGrantsStore,
    private readonly accounts: GoogleAccountsService,
    private readonly links: GoogleLinkService,
    private readonly users: UsersService,
    clock: Clock,
  ) {
    this.settings = settings ?? undefined;
    this.tokens = settings ? new GoogleTokenClient(settings, clock) : null;
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  /** Starts a sign-in: stores the transaction under a fresh state and gives the provider URL. */
  async begin(mode: unknown, returnTo: unknown): Promise<{ state: string; location: string }> {
    const settings = this.require();
    const handOff = mode === 'code';
    const target = safeReturnTo(text(returnTo), this.issuerOrigin, settings.returnToAllowlist);
    if (handOff && target === null) {
      throw new GoogleSignInFailure('bad_return_to', 'mode=code without an allowed returnTo');
    }
    const state = randomToken(32);
    const verifier = randomToken(32);
    const nonce = randomToken(32);
    await this.grants.put(
      'transaction',
      state,
      { verifier, nonce, mode: handOff ? 'code' : 'session', returnTo: target ?? '/account' },
      TRANSACTION_TTL_MS,
    );
    const url = new URL(settings.authorizationUrl);
    url.search = new URLSearchParams({
      response_type: 'code',
      client_id: settings.clientId,
      redirect_uri: settings.callbackUrl,
      scope: GOOGLE_SCOPES.join(' '),
      state,
      nonce,
      code_challenge: s256(verifier),
      code_challenge_method: 'S256',
    }).toString();
    return { state, location: url.href };
  }

  /** Checks and completes a callback; every refusal is a `GoogleSignInFailure`. */
  async complete(query: CallbackQuery, browserState: string | undefined): Promise<SignInOutcome> {
    const settings = this.require();
    const state = text(query.state);
    if (
      state === undefined ||
      browserState === undefined ||
      !constantTimeEqual(state, browserState)
    ) {
      throw new GoogleSignInFailure(
        'state',
        state === undefined ? 'callback without state' : 'state does not match this browser',
      );
    }
    const transaction = await this.grants.take('transaction', state);
    if (!transaction)
      throw new GoogleSignInFailure('state', 'unknown, used or expired transaction');
    const providerError = text(query.error);
    if (providerError !== undefined) {
      const code = providerError.replace(/[^a-z_]/gi, '').slice(0, 40);
      throw new GoogleSignInFailure(
        code === 'access_denied' ? 'denied' : 'provider_error',
        `provider returned error=${code}`,
      );
    }
    const code = text(query.code);
    if (code === undefined)
      throw new GoogleSignInFailure('bad_response', 'callback without a code');
    const account = await this.fetchAccount(code, transaction['verifier'], transaction['nonce']);
    if (!account.emailVerified || account.email === undefined) {
      throw new GoogleSignInFailure('unverified_email', 'Google account email is not verified');
    }
    const verified = { sub: account.sub, email: account.email, name: account.name };
    const resolution = await this.accounts.resolveUser(verified);
    const target: SignInTarget = {
      mode: transaction['mode'] === 'code' ? 'code' : 'session',
      returnTo: transaction['returnTo'],
    };
    if (resolution.kind === 'password_required') {
      this.logger.log(`Google sign-in for user ${resolution.user.id} waits for its password`);
      return { mode: 'link', key: await this.links.offer(resolution.user, verified, target) };
    }
    return this.finish(resolution.user, target, settings);
  }

  /** The account's password for a pending link (see `GoogleLinkService`), then signed in. */
  async confirmLink(key: string | undefined, password: string, ip: string): Promise<SignInOutcome> {
    const settings = this.require();
    const { user, target } = await this.links.confirm(key, password, ip);
    return this.finish(user, target, settings);
  }

  /** The address waiting for its password under `key`, or null. */
  pendingLinkEmail(key: string | undefined): Promise<string | null> {
    this.require();
    return this.links.pendingEmail(key);
  }

  /**
   * A session to start at `returnTo`, or a hand-off code to send to it. The stored target is
   * checked again (a transaction written by an older release, or tampered with, is not trusted):
   * a session then goes to `/account`, a hand-off is refused.
   */
  private async finish(
    user: UserEntity,
    target: SignInTarget,
    settings: GoogleSettings,
  ): Promise<SignInOutcome> {
    const returnTo = safeReturnTo(target.returnTo, this.issuerOrigin, settings.returnToAllowlist);
    if (target.mode === 'session')
      return { mode: 'session', user, returnTo: returnTo ?? '/account' };
    if (returnTo === null) {
      throw new GoogleSignInFailure('bad_return_to', 'stored returnTo is not allowed');
    }
    const handoff = randomToken(32);
    await this.grants.put('handoff', handoff, { userId: user.id }, HANDOFF_TTL_MS);
    return {
      mode: 'code',
      user,
      redirect: withHandoffCode(returnTo, this.issuerOrigin, handoff),
    };
  }

  /** The (enabled) user of a one-time hand-off code; 401 when unknown, used or expired. */
  async redeemHandoff(code: string): Promise<UserEntity> {
    this.require();
    const grant = await this.grants.take('handoff', code);
    const user = grant ? await this.users.findById(grant['userId']) : null;
    if (!user || user.disabled) {
      throw new KeycardError(ErrorCode.InvalidToken, {
        message: 'Invalid or expired code',
        reason: grant ? 'user gone or disabled' : 'hand-off code unknown, used or expired',
      });
    }
    return user;
  }

  /** Code → tokens → (verified ID token) → userinfo, with the subjects cross-checked. */
  private async fetchAccount(
    code: string,
    verifier: string,
    nonce: string,
  ): Promise<GoogleUserInfo> {
    const client = this.tokens;
    const strategy = this.strategy;
    if (!client || !strategy) throw new GoogleSignInFailure('unavailable', 'Google sign-in is off');
    const tokens = await client.exchangeCode(code, verifier);
    const claims = tokens.idToken ? await client.verifyIdToken(tokens.idToken, nonce) : undefined;
    const info = await strategy.fetchUserInfo(tokens.accessToken);
    if (claims && claims.sub !== info.sub) {
      throw new GoogleSignInFailure('bad_id_token', 'userinfo subject differs from the ID token');
    }
    if (info.email === undefined && claims && typeof claims['email'] === 'string') {
      return { ...info, email: claims['email'], emailVerified: claims['email_verified'] === true };
    }
    return info;
  }

  private require(): GoogleSettings {
    if (!this.settings || !this.strategy) {
      throw new KeycardError(ErrorCode.NotFound, { reason: 'Google sign-in is not configured' });
    }
    return this.settings;
  }
}
