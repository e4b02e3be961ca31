import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ErrorCode, KeycardError } from '@keycard/common';
import { AuditActor, AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';
import { MfaFactorEntity } from './mfa-factor.entity';
import { FactorChange, MfaMailer } from './mfa-mailer';
import { MfaThrottle } from './mfa-throttle';
import { RecoveryCodesService } from './recovery-codes.service';
import { TotpEnrolment, TotpFactorsService } from './totp-factors.service';

/** `GET /auth/mfa`. */
export interface MfaStatus {
  totp: boolean;
  passkeys: number;
  recoveryCodesLeft: number;
}

type Owner = Pick<UserEntity, 'id' | 'email'>;

/**
 * A user's second factors as a whole: status, TOTP enrolment and removal, recovery codes, and an
 * admin's reset. Keeps `users.mfa_methods` in step with the factors after every change, and tells
 * the user (mail) and the audit trail.
 */
@Injectable()
export class MfaService {
  constructor(
    @InjectRepository(MfaFactorEntity) private readonly factors: Repository<MfaFactorEntity>,
    @InjectRepository(UserEntity) private readonly userRows: Repository<UserEntity>,
    private readonly users: UsersService,
    private readonly totp: TotpFactorsService,
    private readonly recoveryCodes: RecoveryCodesService,
    private readonly throttle: MfaThrottle,
    private readonly mailer: MfaMailer,
    private readonly audit: AuditService,
  ) {}

  async status(userId: string): Promise<MfaStatus> {
    const [totp, passkeys, recoveryCodesLeft] = await Promise.all([
      this.factors.countBy({ userId, kind: 'totp', status: 'active' }),
      this.factors.countBy({ userId, kind: 'passkey', status: 'active' }),
      this.recoveryCodes.left(userId),
    ]);
    return { totp: totp > 0, passkeys, recoveryCodesLeft };
  }

  startTotp(user: Owner): Promise<TotpEnrolment> {
    return this.totp.enrol(user);
  }

  /** Activates the pending TOTP factor; a new set of recovery codes (shown once) comes with it. */
  async confirmTotp(user: Owner, code: string): Promise<string[]> {
    if (!(await this.totp.confirm(user.id, code))) {
      throw new KeycardError(ErrorCode.InvalidCode, { reason: 'wrong code at TOTP confirmation' });
    }
    const codes = await this.recoveryCodes.issue(user.id);
    await this.changed(user, 'authenticator app added', AuditEventType.MfaFactorAdded, 'totp');
    return codes;
  }

  /** Removes the TOTP factor after a fresh code of it, or the account's password. */
  async removeTotp(user: UserEntity, proof: { code?: string; password?: string }): Promise<void> {
    const factor = await this.totp.active(user.id);
    if (!factor) {
      throw new KeycardError(ErrorCode.NotFound, {
        message: 'No authenticator app is set up',
        reason: 'no active TOTP factor',
      });
    }
    if (proof.code !== undefined) {
      await this.checkCode(user.id, () => this.totp.verify(factor, proof.code ?? ''));
    } else if (!(await this.passwordMatches(user, proof.password))) {
      throw new KeycardError(ErrorCode.InvalidCredentials, {
        reason: 'wrong password at TOTP removal',
      });
    }
    await this.totp.remove(user.id);
    await this.changed(user, 'authenticator app removed', AuditEventType.MfaFactorRemoved, 'totp');
  }

  /**
   * After a passkey was added: recovery codes come with a user's first factor (shown once);
   * none when the user already had codes.
   */
  async passkeyAdded(user: Owner): Promise<string[] | undefined> {
    const codes =
      (await this.recoveryCodes.left(user.id)) === 0
        ? await this.recoveryCodes.issue(user.id)
        : undefined;
    await this.changed(user, 'passkey added', AuditEventType.MfaFactorAdded, 'passkey');
    return codes;
  }

  async passkeyRemoved(user: Owner): Promise<void> {
    await this.changed(user, 'passkey removed', AuditEventType.MfaFactorRemoved, 'passkey');
  }

  /** Ten new codes; the old ones stop working. 409 for a user without a second factor. */
  async renewRecoveryCodes(user: Owner): Promise<string[]> {
    const status = await this.status(user.id);
    if (!status.totp && status.passkeys === 0) {
      throw new KeycardError(ErrorCode.Conflict, {
        message: 'Set up a second factor first',
        reason: 'recovery codes without a factor',
      });
    }
    const codes = await this.recoveryCodes.issue(user.id);
    await this.changed(user, 'recovery codes renewed', AuditEventType.MfaRecoveryCodesRenewed);
    return codes;
  }

  /** An admin removes every second factor of a user (`DELETE /admin/users/:id/mfa`). */
  async reset(userId: string, actor: AuditActor): Promise<void> {
    const user = await this.users.get(userId);
    await this.factors.delete({ userId });
    await this.recoveryCodes.removeAll(userId);
    await this.syncMethods(userId);
    void this.audit.record({
      type: AuditEventType.MfaReset,
      outcome: 'success',
      actor,
      subjectId: userId,
    });
    await this.mailer.factorsChanged(user.email, 'second factors reset by an administrator');
  }

  /**
   * Runs `check` (a code of the user) under the wrong-code limit: 429 past it, 401 `invalid_code`
   * for a wrong code, and the attempt given back when the code was right.
   */
  async checkCode(userId: string, check: () => Promise<boolean>): Promise<void> {
    await this.throttle.begin(userId);
    let right: boolean;
    try {
      right = await check();
    } catch (error) {
      await this.throttle.giveBack(userId);
      throw error;
    }
    if (!right) {
      void this.audit.record({
        type: AuditEventType.MfaLoginFailure,
        outcome: 'failure',
        actor: { type: 'user', id: userId },
        subjectId: userId,
      });
      throw new KeycardError(ErrorCode.InvalidCode, {
        status: 401,
        reason: 'wrong second-factor code',
      });
    }
    await this.throttle.giveBack(userId);
  }

  /** After any change of factors: `users.mfa_methods`, codes dropped with the last factor, mail, audit. */
  async changed(
    user: Owner,
    change: FactorChange,
    type: AuditEventType,
    kind?: 'totp' | 'passkey',
  ): Promise<void> {
    const methods = await this.syncMethods(user.id);
    if (methods.length === 0) await this.recoveryCodes.removeAll(user.id);
    void this.audit.record({
      type,
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      subjectId: user.id,
      ...(kind ? { details: { kind } } : {}),
    });
    await this.mailer.factorsChanged(user.email, change);
  }

  /** Writes the user's active factor kinds into `users.mfa_methods`; returns them. */
  async syncMethods(userId: string): Promise<string[]> {
    const active = await this.factors.find({
      select: { kind: true },
      where: { userId, status: 'active' },
    });
    const methods = (['totp', 'passkey'] as const).filter((kind) =>
      active.some((factor) => factor.kind === kind),
    );
    await this.userRows.update({ id: userId }, { mfaMethods: methods.join(' ') });
    return [...methods];
  }

  private async passwordMatches(user: UserEntity, password: string | undefined): Promise<boolean> {
    if (!password) return false;
    return (await this.users.verifyCredentials(user.email, password)) !== null;
  }
}
