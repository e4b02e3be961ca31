import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { UserEntity } from '../users/user.entity';
import { FactorCipher, UnsealError } from './factor-cipher';
import { MfaFactorEntity } from './mfa-factor.entity';
import { MfaThrottle } from './mfa-throttle';
import { mfaMethodsOf } from './mfa-methods';
import { MfaService } from './mfa.service';
import { RecoveryCodesService } from './recovery-codes.service';
import {
  passkeySignIn,
  SecondFactorKind,
  SignInContext,
  withSecondFactor,
} from '../auth-context/sign-in-context';
import { looksLikeTotpCode } from './totp';
import { TotpFactorsService } from './totp-factors.service';
import { MFA_SETTINGS, MfaSettings } from './mfa-settings';

/** What `POST /auth/login` answers (401) for a user with a second factor. */
export interface MfaChallenge {
  mfaToken: string;
  /** `totp`, `passkey`, `recovery_code`. */
  methods: string[];
}

/** A sign-in whose second factor was just checked. */
export interface CompletedSignIn {
  user: UserEntity;
  signIn: SignInContext;
}

/** What an `mfaToken` carries, sealed. */
interface PendingSignIn {
  /** user id */
  u: string;
  /** the first factor's amr */
  a: string[];
  /** expiry, epoch ms */
  e: number;
  /** id, for single use */
  j: string;
  /** the methods offered */
  m: string[];
}

const TOKEN_PREFIX = 'mfa_';
const SEAL_CONTEXT = 'mfa-token';

function invalidMfaToken(reason: string): KeycardError {
  return new KeycardError(ErrorCode.InvalidToken, {
    message: 'Invalid or expired mfaToken',
    reason,
  });
}

/**
 * The second step of every sign-in (API, session, sign-in page, and `/oauth/authorize` through
 * the session): after a right password, a user with a second factor gets an `mfaToken` instead
 * of credentials, and trades it with a code for them.
 *
 * The `mfaToken` is sealed, not stored (`FactorCipher`): it lives `MFA_TOKEN_TTL` (5 minutes),
 * survives wrong codes, is marked used in the rate-limit store on success (single use, on every
 * instance), and is no JWT, so no verifier can take it for a bearer token. The second step reads
 * the user and their TOTP factor in one query; no password hash runs again.
 */
@Injectable()
export class MfaLoginService {
  constructor(
    @InjectRepository(UserEntity) private readonly userRows: Repository<UserEntity>,
    private readonly mfa: MfaService,
    private readonly totp: TotpFactorsService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly throttle: MfaThrottle,
    private readonly cipher: FactorCipher,
    private readonly clock: Clock,
    @Inject(MFA_SETTINGS) private readonly settings: MfaSettings,
    @Inject(authConfig.KEY) private readonly config: Pick<AuthSettings, 'requireVerifiedEmail'>,
  ) {}

  /**
   * Null when `user` has no second factor (the password was enough); otherwise the challenge for
   * the second step. Reads nothing: the methods come with the user row the password check read.
   */
  challenge(user: UserEntity, first: SignInContext): MfaChallenge | null {
    const factors = mfaMethodsOf(user);
    if (factors.length === 0) return null;
    const methods = [...factors, 'recovery_code'];
    const pending: PendingSignIn = {
      u: user.id,
      a: [...first.amr],
      e: this.clock.now() + this.settings.tokenTtl * 1000,
      j: randomUUID(),
      m: methods,
    };
    const sealed = this.cipher.seal(SEAL_CONTEXT, Buffer.from(JSON.stringify(pending), 'utf8'));
    return { mfaToken: `${TOKEN_PREFIX}${sealed}`, methods };
  }

  /** The 401 `mfa_required` answer for a challenge. */
  static required(challenge: MfaChallenge): KeycardError {
    return new KeycardError(ErrorCode.MfaRequired, {
      reason: 'second factor required',
      details: { mfaToken: challenge.mfaToken, methods: challenge.methods },
    });
  }

  /** The methods a live `mfaToken` offers (the second-step page), or null when it is not one. */
  methodsOf(mfaToken: string | undefined): string[] | null {
    if (mfaToken === undefined) return null;
    try {
      return this.open(mfaToken).m;
    } catch {
      return null;
    }
  }

  /** The user a live `mfaToken` is for (a passkey second step needs their credentials); 401 otherwise. */
  userOf(mfaToken: string): string {
    return this.open(mfaToken).u;
  }

  /** The second step with a TOTP or recovery code: 401 for a wrong code, 429 past the limit. */
  async completeWithCode(mfaToken: string, code: string): Promise<CompletedSignIn> {
    const pending = this.open(mfaToken);
    const user = await this.userRows
      .createQueryBuilder('u')
      .leftJoinAndMapOne(
        'u.totpFactor',
        MfaFactorEntity,
        'f',
        "f.user_id = u.id AND f.kind = 'totp' AND f.status = 'active'",
      )
      .where('u.id = :id', { id: pending.u })
      .getOne();
    if (!user || user.disabled) throw invalidMfaToken('user gone or disabled');
    const factor = (user as UserEntity & { totpFactor?: MfaFactorEntity }).totpFactor;
    let kind: SecondFactorKind = 'totp';
    await this.mfa.checkCode(user.id, async () => {
      if (looksLikeTotpCode(code)) return factor ? this.totp.verify(factor, code) : false;
      kind = 'recovery_code';
      return this.recoveryCodes.use(user.id, code);
    });
    return this.finish(pending, user, kind);
  }

  /** The second step with a passkey the caller already verified for `userId` of the token. */
  async completeWithVerifiedPasskey(
    mfaToken: string,
    verify: (userId: string) => Promise<boolean>,
  ): Promise<CompletedSignIn> {
    const pending = this.open(mfaToken);
    const user = await this.userRows.findOneBy({ id: pending.u });
    if (!user || user.disabled) throw invalidMfaToken('user gone or disabled');
    await this.mfa.checkCode(user.id, () => verify(user.id));
    return this.finish(pending, user, 'passkey');
  }

  /** A passwordless sign-in with a verified passkey: the user, if still allowed to sign in. */
  async completePasswordless(userId: string): Promise<CompletedSignIn> {
    const user = await this.userRows.findOneBy({ id: userId });
    if (!user || user.disabled) {
      throw new KeycardError(ErrorCode.InvalidCredentials, {
        reason: 'passkey of a gone or disabled user',
      });
    }
    if (this.config.requireVerifiedEmail && !user.emailVerified) {
      throw new KeycardError(ErrorCode.EmailNotVerified, { reason: 'address not verified' });
    }
    return { user, signIn: passkeySignIn(this.clock.now()) };
  }

  private async finish(
    pending: PendingSignIn,
    user: UserEntity,
    kind: SecondFactorKind,
  ): Promise<CompletedSignIn> {
    const ttlSeconds = Math.ceil((pending.e - this.clock.now()) / 1000) + 1;
    if (!(await this.throttle.markUsed('token', pending.j, ttlSeconds))) {
      throw invalidMfaToken('mfaToken already used');
    }
    const first: SignInContext = { amr: pending.a, authTime: this.clock.now() };
    return { user, signIn: withSecondFactor(first, kind, this.clock.now()) };
  }

  private open(mfaToken: string): PendingSignIn {
    if (typeof mfaToken !== 'string' || !mfaToken.startsWith(TOKEN_PREFIX)) {
      throw invalidMfaToken('not an mfaToken');
    }
    let pending: PendingSignIn;
    try {
      const plain = this.cipher.open(SEAL_CONTEXT, mfaToken.slice(TOKEN_PREFIX.length));
      pending = JSON.parse(plain.toString('utf8')) as PendingSignIn;
    } catch (error) {
      if (error instanceof UnsealError || error instanceof SyntaxError) {
        throw invalidMfaToken('mfaToken does not open');
      }
      throw error;
    }
    if (pending.e <= this.clock.now()) throw invalidMfaToken('mfaToken expired');
    return pending;
  }
}
