import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { In, IsNull, MoreThan, Repository } from 'typeorm';
import { Clock, ErrorCode, KeycardError, randomToken, sha256Hex } from '@keycard/common';
import { AccountTokenEntity, AccountTokenPurpose } from './account-token.entity';

/** 32 random bytes: 256 bits, 43 base64url characters in a link. */
export const LINK_TOKEN_BYTES = 32;
const LINK_TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** 400 `invalid_token`: an unknown, used, voided or expired link (one answer for all of them). */
export function invalidLink(reason: string): KeycardError {
  return new KeycardError(ErrorCode.InvalidToken, {
    status: 400,
    message: 'This link is invalid or has expired',
    reason,
  });
}

/**
 * The one-time tokens of mailed links: issued (voiding the user's older tokens of that purpose),
 * looked up and used by their SHA-256 only. Using one is a single conditional UPDATE, so two
 * requests racing with one link cannot both succeed.
 */
@Injectable()
export class AccountTokensService {
  constructor(
    @InjectRepository(AccountTokenEntity)
    private readonly tokens: Repository<AccountTokenEntity>,
    private readonly clock: Clock,
  ) {}

  /** A new token for `userId` (the raw value, for the link); older unused ones of `purpose` die. */
  async issue(
    userId: string,
    purpose: AccountTokenPurpose,
    email: string,
    ttlSeconds: number,
  ): Promise<string> {
    const token = randomToken(LINK_TOKEN_BYTES);
    const now = this.clock.now();
    await this.tokens.manager.transaction(async (manager) => {
      await manager.update(
        AccountTokenEntity,
        { userId, purpose, usedAt: IsNull() },
        { usedAt: now },
      );
      await manager.insert(AccountTokenEntity, {
        id: randomUUID(),
        tokenHash: sha256Hex(token),
        userId,
        purpose,
        email,
        createdAt: now,
        expiresAt: now + ttlSeconds * 1000,
        usedAt: null,
      });
    });
    return token;
  }

  /** The live token `raw` for one of `purposes`, without using it; null otherwise. */
  async find(
    raw: string,
    purposes: readonly AccountTokenPurpose[],
  ): Promise<AccountTokenEntity | null> {
    if (!LINK_TOKEN_SHAPE.test(raw)) return null;
    return this.tokens.findOneBy({
      tokenHash: sha256Hex(raw),
      purpose: In([...purposes]),
      usedAt: IsNull(),
      expiresAt: MoreThan(this.clock.now()),
    });
  }

  /** Uses the token once: its row, or 400 `invalid_token`. */
  async consume(
    raw: string,
    purposes: readonly AccountTokenPurpose[],
  ): Promise<AccountTokenEntity> {
    const token = await this.find(raw, purposes);
    if (!token) throw invalidLink('unknown, used or expired link token');
    const usedAt = this.clock.now();
    const result = await this.tokens.update({ id: token.id, usedAt: IsNull() }, { usedAt });
    if (result.affected !== 1) throw invalidLink('link token used concurrently');
    return { ...token, usedAt };
  }
}
