import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { FactorCipher } from './factor-cipher';
import { MfaThrottle } from './mfa-throttle';

/** What a WebAuthn ceremony is for. */
export type CeremonyPurpose = 'register' | 'second_factor' | 'passwordless';

/** A challenge handed to the browser, sealed with its purpose (and user) so nothing is stored. */
export interface Ceremony {
  challenge: string;
  purpose: CeremonyPurpose;
  /** The user it was started for; none for a passwordless sign-in (the passkey says who). */
  userId?: string;
}

interface SealedCeremony extends Ceremony {
  expiresAt: number;
  id: string;
}

const CONTEXT = 'passkey-ceremony';
/** How long the browser has to answer (WebAuthn's own timeout is shorter). */
const TTL_MS = 5 * 60_000;

function invalidCeremony(reason: string): KeycardError {
  return new KeycardError(ErrorCode.BadRequest, {
    message: 'The passkey request expired or is not valid; start again',
    reason,
  });
}

/**
 * WebAuthn challenges without server state: the challenge travels sealed (`FactorCipher`) with
 * the options and comes back with the browser's answer; it lives 5 minutes and is used once (the
 * rate-limit store remembers it), on every instance.
 */
@Injectable()
export class PasskeyCeremonies {
  constructor(
    private readonly cipher: FactorCipher,
    private readonly clock: Clock,
    private readonly throttle: MfaThrottle,
  ) {}

  seal(ceremony: Ceremony): string {
    const sealed: SealedCeremony = {
      ...ceremony,
      expiresAt: this.clock.now() + TTL_MS,
      id: randomUUID(),
    };
    return this.cipher.seal(CONTEXT, Buffer.from(JSON.stringify(sealed), 'utf8'));
  }

  /** The ceremony of `token` for `purpose`, used up; 400 when expired, used, or made for another purpose. */
  async take(token: string, purpose: CeremonyPurpose): Promise<Ceremony> {
    let ceremony: SealedCeremony;
    try {
      ceremony = JSON.parse(this.cipher.open(CONTEXT, token).toString('utf8')) as SealedCeremony;
    } catch {
      throw invalidCeremony('ceremony does not open');
    }
    if (ceremony.purpose !== purpose) throw invalidCeremony('ceremony of another purpose');
    if (ceremony.expiresAt <= this.clock.now()) throw invalidCeremony('ceremony expired');
    if (!(await this.throttle.markUsed('ceremony', ceremony.id, TTL_MS / 1000 + 1))) {
      throw invalidCeremony('ceremony already used');
    }
    return { challenge: ceremony.challenge, purpose, userId: ceremony.userId };
  }
}
