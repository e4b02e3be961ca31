import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { FactorCipher } from './factor-cipher';
import { MfaFactorEntity } from './mfa-factor.entity';
import { matchTotp, newTotpSecret, otpauthUrl } from './totp';
import { MFA_SETTINGS, MfaSettings } from './mfa-settings';

export interface TotpEnrolment {
  secret: string;
  otpauthUrl: string;
}

const sealContext = (factorId: string) => `totp:${factorId}`;

/**
 * TOTP factors: one per user, `pending` until a first code confirms it. The secret is sealed at
 * rest (`FactorCipher`, bound to the row id); a code is accepted once, by moving the factor's
 * `last_used_step` forward in one conditional UPDATE, so two requests can never both use it.
 */
@Injectable()
export class TotpFactorsService {
  constructor(
    @InjectRepository(MfaFactorEntity) private readonly factors: Repository<MfaFactorEntity>,
    private readonly cipher: FactorCipher,
    private readonly clock: Clock,
    @Inject(MFA_SETTINGS) private readonly mfa: MfaSettings,
  ) {}

  /** A new pending factor (replacing a pending one); 409 while an active one exists. */
  async enrol(user: { id: string; email: string }): Promise<TotpEnrolment> {
    if (await this.active(user.id)) {
      throw new KeycardError(ErrorCode.Conflict, {
        message: 'An authenticator app is already set up; remove it first',
        reason: 'active TOTP factor exists',
      });
    }
    await this.factors.delete({ userId: user.id, kind: 'totp', status: 'pending' });
    const id = randomUUID();
    const secret = newTotpSecret();
    await this.factors.insert({
      id,
      userId: user.id,
      kind: 'totp',
      status: 'pending',
      name: 'Authenticator app',
      secretSealed: this.cipher.seal(sealContext(id), Buffer.from(secret, 'utf8')),
      lastUsedStep: null,
      credentialId: null,
      publicKey: null,
      signCount: 0,
      transports: '',
      createdAt: this.clock.now(),
      lastUsedAt: null,
    });
    return { secret, otpauthUrl: otpauthUrl(secret, user.email, this.mfa.totpIssuer) };
  }

  /** The pending enrolment again (the account page shows its QR code until it is confirmed). */
  async pending(user: { id: string; email: string }): Promise<TotpEnrolment | null> {
    const factor = await this.factors.findOneBy({
      userId: user.id,
      kind: 'totp',
      status: 'pending',
    });
    if (!factor) return null;
    const secret = this.secretOf(factor);
    return { secret, otpauthUrl: otpauthUrl(secret, user.email, this.mfa.totpIssuer) };
  }

  /** Activates the pending factor when `code` is right; false otherwise. 404 with none pending. */
  async confirm(userId: string, code: string): Promise<boolean> {
    const factor = await this.factors.findOneBy({ userId, kind: 'totp', status: 'pending' });
    if (!factor) {
      throw new KeycardError(ErrorCode.NotFound, {
        message: 'No authenticator app is waiting for confirmation',
        reason: 'no pending TOTP factor',
      });
    }
    return this.accept(factor, code, 'active');
  }

  active(userId: string): Promise<MfaFactorEntity | null> {
    return this.factors.findOneBy({ userId, kind: 'totp', status: 'active' });
  }

  /** Whether `code` is a fresh code of the active `factor`; using it up when it is. */
  verify(factor: MfaFactorEntity, code: string): Promise<boolean> {
    return this.accept(factor, code, 'active');
  }

  /** Removes the user's TOTP factor (pending or active); true when there was an active one. */
  async remove(userId: string): Promise<boolean> {
    const result = await this.factors.delete({ userId, kind: 'totp', status: 'active' });
    await this.factors.delete({ userId, kind: 'totp', status: 'pending' });
    return (result.affected ?? 0) > 0;
  }

  private async accept(factor: MfaFactorEntity, code: string, status: 'active'): Promise<boolean> {
    const now = this.clock.now();
    const step = matchTotp(this.secretOf(factor), code, now, factor.lastUsedStep);
    if (step === null) return false;
    const result = await this.factors
      .createQueryBuilder()
      .update()
      .set({ lastUsedStep: step, lastUsedAt: now, status })
      .where('id = :id AND (last_used_step IS NULL OR last_used_step < :step)', {
        id: factor.id,
        step,
      })
      .execute();
    return (result.affected ?? 0) === 1;
  }

  private secretOf(factor: MfaFactorEntity): string {
    if (!factor.secretSealed) throw new Error(`TOTP factor ${factor.id} has no secret`);
    return this.cipher.open(sealContext(factor.id), factor.secretSealed).toString('utf8');
  }
}
