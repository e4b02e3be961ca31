import { Inject, Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { MfaFactorEntity } from './mfa-factor.entity';
import { CeremonyPurpose, PasskeyCeremonies } from './passkey-ceremony';
import { MFA_SETTINGS, MfaSettings } from './mfa-settings';

/**
 * `@simplewebauthn/server`, loaded by the first passkey ceremony rather than at start-up: with
 * its X.509 and ASN.1 parsers it was one of the largest packages a start loaded
 * (`npm run bench:start`), and most processes never see a passkey.
 */
const webauthn = () => import('@simplewebauthn/server');

/** A passkey as lists show it. */
export interface PasskeyView {
  id: string;
  name: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export interface CeremonyStart<T> {
  options: T;
  /** Send back with the browser's answer. */
  ceremony: string;
}

function refused(reason: string): KeycardError {
  return new KeycardError(ErrorCode.InvalidCredentials, {
    message: 'The passkey could not be verified',
    reason,
  });
}

export function toPasskeyView(factor: MfaFactorEntity): PasskeyView {
  return {
    id: factor.id,
    name: factor.name,
    createdAt: new Date(factor.createdAt).toISOString(),
    lastUsedAt: factor.lastUsedAt === null ? null : new Date(factor.lastUsedAt).toISOString(),
  };
}

/**
 * Passkeys (WebAuthn, `@simplewebauthn/server`): registration of several named, discoverable
 * credentials per user, and assertions, either as a second factor (for a known user) or on their
 * own (the credential says who). Relying party from `WEBAUTHN_RP_ID` / `WEBAUTHN_ORIGIN`.
 */
@Injectable()
export class PasskeysService {
  constructor(
    @InjectRepository(MfaFactorEntity) private readonly factors: Repository<MfaFactorEntity>,
    private readonly ceremonies: PasskeyCeremonies,
    private readonly clock: Clock,
    @Inject(MFA_SETTINGS) private readonly mfa: MfaSettings,
  ) {}

  list(userId: string): Promise<MfaFactorEntity[]> {
    return this.factors.find({
      where: { userId, kind: 'passkey' },
      order: { createdAt: 'ASC' },
    });
  }

  async registrationOptions(user: {
    id: string;
    email: string;
    name: string | null;
  }): Promise<CeremonyStart<PublicKeyCredentialCreationOptionsJSON>> {
    const existing = await this.list(user.id);
    const { generateRegistrationOptions } = await webauthn();
    const options = await generateRegistrationOptions({
      rpName: this.mfa.rpName,
      rpID: this.mfa.rpId,
      userName: user.email,
      userDisplayName: user.name ?? user.email,
      userID: Buffer.from(user.id, 'utf8'),
      attestationType: 'none',
      excludeCredentials: existing.map(descriptor),
      authenticatorSelection: { residentKey: 'required', userVerification: 'preferred' },
    });
    return {
      options,
      ceremony: this.ceremonies.seal(ceremonyOf(options.challenge, 'register', user.id)),
    };
  }

  /** Verifies the browser's answer and stores the passkey under `name`. */
  async register(
    userId: string,
    name: string,
    ceremonyToken: string,
    response: RegistrationResponseJSON,
  ): Promise<MfaFactorEntity> {
    const ceremony = await this.ceremonies.take(ceremonyToken, 'register');
    if (ceremony.userId !== userId) throw refused('registration ceremony of another user');
    const { verifyRegistrationResponse } = await webauthn();
    const result = await verifyRegistrationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: this.mfa.origin,
      expectedRPID: this.mfa.rpId,
      requireUserVerification: false,
    }).catch((error: unknown) => {
      throw refused(`registration did not verify: ${(error as Error).message}`);
    });
    if (!result.verified) throw refused('registration not verified');
    const { credential } = result.registrationInfo;
    const factor: MfaFactorEntity = {
      id: randomUUID(),
      userId,
      kind: 'passkey',
      status: 'active',
      name,
      secretSealed: null,
      lastUsedStep: null,
      credentialId: credential.id,
      publicKey: Buffer.from(credential.publicKey).toString('base64url'),
      signCount: credential.counter,
      transports: (credential.transports ?? []).join(' '),
      createdAt: this.clock.now(),
      lastUsedAt: null,
    };
    await this.factors.insert(factor);
    return factor;
  }

  /** 404 unless the passkey is the user's. */
  async remove(userId: string, id: string): Promise<void> {
    const result = await this.factors.delete({ id, userId, kind: 'passkey' });
    if ((result.affected ?? 0) === 0) {
      throw new KeycardError(ErrorCode.NotFound, { message: 'Passkey not found' });
    }
  }

  /** Options for an assertion: the user's passkeys (second factor), or any discoverable one. */
  async authenticationOptions(
    purpose: Exclude<CeremonyPurpose, 'register'>,
    userId?: string,
  ): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON>> {
    const allow = userId ? (await this.list(userId)).map(descriptor) : undefined;
    const { generateAuthenticationOptions } = await webauthn();
    const options = await generateAuthenticationOptions({
      rpID: this.mfa.rpId,
      allowCredentials: allow,
      userVerification: purpose === 'passwordless' ? 'required' : 'preferred',
    });
    return {
      options,
      ceremony: this.ceremonies.seal(ceremonyOf(options.challenge, purpose, userId)),
    };
  }

  /**
   * The passkey behind a verified assertion (its counter and last use updated). A second factor
   * must be a passkey of `expectedUserId`; a passwordless sign-in needs user verification.
   */
  async verifyAssertion(
    purpose: Exclude<CeremonyPurpose, 'register'>,
    ceremonyToken: string,
    response: AuthenticationResponseJSON,
    expectedUserId?: string,
  ): Promise<MfaFactorEntity> {
    if (typeof response.id !== 'string' || response.id.length > 1024)
      throw refused('no credential id');
    const ceremony = await this.ceremonies.take(ceremonyToken, purpose);
    if (ceremony.userId !== expectedUserId) throw refused('ceremony of another user');
    const factor = await this.factors.findOneBy({ credentialId: response.id, kind: 'passkey' });
    if (!factor?.publicKey || factor.credentialId === null) throw refused('unknown passkey');
    if (expectedUserId !== undefined && factor.userId !== expectedUserId) {
      throw refused('passkey of another user');
    }
    const { verifyAuthenticationResponse } = await webauthn();
    const result = await verifyAuthenticationResponse({
      response,
      expectedChallenge: ceremony.challenge,
      expectedOrigin: this.mfa.origin,
      expectedRPID: this.mfa.rpId,
      credential: {
        id: factor.credentialId,
        publicKey: Buffer.from(factor.publicKey, 'base64url'),
        counter: factor.signCount,
        transports: factor.transports ? factor.transports.split(' ') : undefined,
      },
      requireUserVerification: purpose === 'passwordless',
    }).catch((error: unknown) => {
      throw refused(`assertion did not verify: ${(error as Error).message}`);
    });
    if (!result.verified) throw refused('assertion not verified');
    await this.factors.update(
      { id: factor.id },
      { signCount: result.authenticationInfo.newCounter, lastUsedAt: this.clock.now() },
    );
    return factor;
  }
}

function descriptor(factor: MfaFactorEntity): { id: string; transports?: string[] } {
  return {
    id: factor.credentialId ?? '',
    ...(factor.transports ? { transports: factor.transports.split(' ') } : {}),
  };
}

function ceremonyOf(challenge: string, purpose: CeremonyPurpose, userId?: string) {
  return { challenge, purpose, ...(userId ? { userId } : {}) };
}
