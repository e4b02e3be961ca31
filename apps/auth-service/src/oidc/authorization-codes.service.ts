import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError, randomToken, sha256Hex } from '@keycard/common';
import type { AuthorizationRequest } from './authorize-request';
import { OidcCodeEntity } from './oidc-records.entity';
import type { SignInContext } from '../auth-context/sign-in-context';

/** A code lives at most this long (API.md section 5: ≤ 60 s). */
export const CODE_TTL_MS = 60_000;

const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

/** What a code is issued for: the request, the session it was issued in, and that sign-in. */
export interface CodeIssue {
  request: AuthorizationRequest;
  userId: string;
  sessionId: string;
  signIn: SignInContext;
}

/** What the token request presents with a code. */
export interface CodeRedemption {
  code: string;
  clientId: string;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
}

export function invalidGrant(reason: string): KeycardError {
  return new KeycardError(ErrorCode.OAuthInvalidGrant, { reason });
}

/** RFC 7636 §4.6: BASE64URL(SHA256(verifier)) === challenge. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * Authorization codes: 256 random bits, stored as their SHA-256, single use. A code is checked
 * against its client, redirect URI and PKCE challenge before it is spent, so a code injected by
 * another client or with another verifier does not burn the real one; the spend is a conditional
 * update, so of two concurrent redemptions exactly one wins.
 */
@Injectable()
export class AuthorizationCodesService {
  constructor(
    @InjectRepository(OidcCodeEntity) private readonly codes: Repository<OidcCodeEntity>,
    private readonly clock: Clock,
  ) {}

  async issue(input: CodeIssue): Promise<string> {
    const code = randomToken(32);
    const now = this.clock.now();
    await this.codes.insert({
      codeHash: sha256Hex(code),
      clientId: input.request.clientId,
      userId: input.userId,
      sessionId: input.sessionId,
      redirectUri: input.request.redirectUri,
      codeChallenge: input.request.codeChallenge,
      scope: input.request.scopes.join(' '),
      nonce: input.request.nonce ?? null,
      authTime: input.signIn.authTime,
      amr: [...input.signIn.amr],
      createdAt: now,
      expiresAt: now + CODE_TTL_MS,
      redeemedAt: null,
      familyId: null,
      replayedAt: null,
    });
    return code;
  }

  /**
   * Spends a code; `invalid_grant` for an unknown, expired or mismatched one. A code already spent
   * is a replay: `onReplay` gets the login the first redemption started (when it exists yet).
   */
  async redeem(
    input: CodeRedemption,
    onReplay: (code: OidcCodeEntity) => Promise<void>,
  ): Promise<OidcCodeEntity> {
    if (input.code.length > 128) throw invalidGrant('malformed code');
    const codeHash = sha256Hex(input.code);
    const row = await this.codes.findOneBy({ codeHash });
    const now = this.clock.now();
    if (row === null || row.expiresAt <= now) throw invalidGrant('unknown or expired code');
    checkBinding(row, input);
    if (row.redeemedAt !== null) return this.replayed(row, onReplay);
    const spent = await this.codes.update({ codeHash, redeemedAt: IsNull() }, { redeemedAt: now });
    if (!spent.affected) return this.replayed(row, onReplay);
    return { ...row, redeemedAt: now };
  }

  /**
   * Records the login the redemption started. True when a replay came first (its writer saw no
   * login yet), so the caller must revoke it: one of the two writers always sees the other.
   */
  async attachLogin(codeHash: string, familyId: string): Promise<boolean> {
    await this.codes.update({ codeHash }, { familyId });
    const row = await this.codes.findOneBy({ codeHash });
    return row?.replayedAt !== null;
  }

  private async replayed(
    row: OidcCodeEntity,
    onReplay: (code: OidcCodeEntity) => Promise<void>,
  ): Promise<never> {
    await this.codes.update({ codeHash: row.codeHash }, { replayedAt: this.clock.now() });
    const current = await this.codes.findOneBy({ codeHash: row.codeHash });
    await onReplay(current ?? row);
    throw invalidGrant('code already redeemed');
  }
}

/** The client, redirect URI and PKCE verifier must be the ones the code was issued for. */
function checkBinding(row: OidcCodeEntity, input: CodeRedemption): void {
  if (row.clientId !== input.clientId) throw invalidGrant('code issued to another client');
  if (input.redirectUri !== row.redirectUri) throw invalidGrant('redirect_uri does not match');
  const verifier = input.codeVerifier;
  if (verifier === undefined || !VERIFIER.test(verifier)) {
    throw invalidGrant('code_verifier missing or malformed');
  }
  if (s256(verifier) !== row.codeChallenge) throw invalidGrant('code_verifier does not match');
}
