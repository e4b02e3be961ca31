import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { createHash } from 'node:crypto';
import { IsNull, Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError, randomToken, sha256Hex } from '@keycard/common';
import type { AtomicStatement } from '../database/atomic-writes';
import { BoundQuery, TableSql } from '../database/table-sql';
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

/** Told of a replayed code, with the login its first redemption started (`familyId`), if any. */
export type ReplayHandler = (code: OidcCodeEntity) => Promise<void>;

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
 * another client or with another verifier does not burn the real one. Spending is a conditional
 * update that also names the login the redemption starts, written in the same transaction as that
 * login: of two concurrent redemptions exactly one wins, and whoever sees the code spent sees
 * which login to revoke. The statements of every redemption (issue, find, spend) are written once
 * (`TableSql`), not built again by TypeORM's query builder on each call.
 */
@Injectable()
export class AuthorizationCodesService {
  private readonly table: TableSql<OidcCodeEntity>;
  private readonly byHash: (codeHash: string) => Promise<OidcCodeEntity | null>;
  private readonly insertRow: (code: OidcCodeEntity) => BoundQuery;
  private readonly spendRow: (values: Partial<OidcCodeEntity>) => BoundQuery;

  constructor(
    @InjectRepository(OidcCodeEntity) private readonly codes: Repository<OidcCodeEntity>,
    private readonly clock: Clock,
  ) {
    const table = new TableSql(codes.manager.dataSource, OidcCodeEntity);
    this.table = table;
    this.byHash = table.findOne(['codeHash']);
    this.insertRow = table.insert();
    this.spendRow = table.update(
      ['redeemedAt', 'familyId'],
      ['codeHash'],
      `${table.column('redeemedAt')} IS NULL`,
    );
  }

  async issue(input: CodeIssue): Promise<string> {
    const code = randomToken(32);
    const now = this.clock.now();
    await this.table.execute(
      this.insertRow({
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
      }),
    );
    return code;
  }

  /**
   * The unspent code a token request presents; `invalid_grant` for an unknown, expired or
   * mismatched one. A code already spent is a replay: `onReplay` gets it with the login its
   * redemption started (`replayed`).
   */
  async find(input: CodeRedemption, onReplay: ReplayHandler): Promise<OidcCodeEntity> {
    if (input.code.length > 128) throw invalidGrant('malformed code');
    const row = await this.byHash(sha256Hex(input.code));
    if (row === null || row.expiresAt <= this.clock.now()) {
      throw invalidGrant('unknown or expired code');
    }
    checkBinding(row, input);
    if (row.redeemedAt !== null) return this.replayed(row, onReplay);
    return row;
  }

  /**
   * The statement spending `code` for the login `familyId`, for the transaction that writes that
   * login: it changes no row (and the transaction is abandoned) when the code was spent meanwhile.
   */
  spend(code: OidcCodeEntity, familyId: string): AtomicStatement {
    return {
      query: this.spendRow({ redeemedAt: this.clock.now(), familyId, codeHash: code.codeHash }),
      requireOneRow: true,
    };
  }

  /** Spends `code` without a login: a redemption refused after `find` still uses it up. */
  async burn(code: OidcCodeEntity): Promise<void> {
    await this.codes.update(
      { codeHash: code.codeHash, redeemedAt: IsNull() },
      { redeemedAt: this.clock.now() },
    );
  }

  /**
   * A second redemption of `code`: marks it replayed, hands `onReplay` the row as it is now (with
   * the login the first redemption started, if it started one), then refuses.
   */
  async replayed(code: OidcCodeEntity, onReplay: ReplayHandler): Promise<never> {
    await this.codes.update({ codeHash: code.codeHash }, { replayedAt: this.clock.now() });
    const current = await this.byHash(code.codeHash);
    await onReplay(current ?? code);
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
