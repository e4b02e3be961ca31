import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { Inject, Injectable } from '@nestjs/common';
import { authConfig, AuthSettings } from '../config/auth.config';
import { KeyCipher } from './key-cipher';
import { GeneratedKey, KeyGenerator } from './key-material';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeyRows, SigningKeyStore } from './signing-key.store';

/** Clock leeway verifiers allow (the contract's maximum), added to a retiring key's window. */
export const VERIFY_LEEWAY_MS = 30_000;
const ENSURE_ATTEMPTS = 5;

export interface RotateOptions {
  /** Rotate even if the next key entered the JWKS less than `JWKS_MAX_AGE` ago. */
  force?: boolean;
  /** Rotate only while this kid is still the active key (the scheduler's guard against double work). */
  ifActive?: string;
}

export interface CurrentKeys {
  active: SigningKeyEntity;
  next: SigningKeyEntity;
}

export interface Rotation extends CurrentKeys {
  retiring: SigningKeyEntity;
  /** Kids deleted because their verification window had passed. */
  pruned: string[];
}

function alreadyRotated(): KeycardError {
  return new KeycardError(ErrorCode.Conflict, {
    message:
      'The signing keys were rotated by another request meanwhile; list them before trying again',
  });
}

/**
 * The writes of the key lifecycle next → active → retiring → revoked. Every change that involves
 * more than one row runs inside `SigningKeyStore.exclusive` with conditional updates, and the RSA
 * key it needs is generated before entering it.
 */
@Injectable()
export class KeyLifecycle {
  constructor(
    private readonly store: SigningKeyStore,
    private readonly cipher: KeyCipher,
    private readonly generator: KeyGenerator,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
  ) {}

  /**
   * Makes sure an active and a next key exist (first start: both). Racing instances are settled by
   * the unique indexes: a refused insert or update simply re-reads.
   */
  async ensureKeys(): Promise<CurrentKeys> {
    for (let attempt = 0; attempt < ENSURE_ATTEMPTS; attempt += 1) {
      const [active, next] = await Promise.all([
        this.store.rows.findByStatus('active'),
        this.store.rows.findByStatus('next'),
      ]);
      if (active && next) return { active, next };
      if (!active && next) {
        // Only after an interrupted change (SQLite has no multi-statement atomicity here).
        await this.store.rows.move(next.kid, 'next', {
          status: 'active',
          activatedAt: this.clock.now(),
        });
      } else {
        const fresh = await this.generator.generate();
        await this.store.rows.insert(this.toRow(fresh, active ? 'next' : 'active'));
      }
    }
    throw new Error('Could not establish an active and a next signing key');
  }

  async rotate(options: RotateOptions): Promise<Rotation> {
    const seen = await this.ensureKeys();
    const expectedActive = options.ifActive ?? seen.active.kid;
    const fresh = await this.generator.generate();
    return this.store.exclusive((rows) =>
      this.commitRotation(rows, expectedActive, fresh, options.force === true),
    );
  }

  /** The critical section of a rotation: every step is conditional on the state it checked. */
  private async commitRotation(
    rows: SigningKeyRows,
    expectedActive: string,
    fresh: GeneratedKey,
    force: boolean,
  ): Promise<Rotation> {
    const [active, next] = await Promise.all([
      rows.findByStatus('active'),
      rows.findByStatus('next'),
    ]);
    if (!active || !next || active.kid !== expectedActive) throw alreadyRotated();
    if (!force) this.assertPublishedLongEnough(next);
    const now = this.clock.now();
    const retiring = {
      status: 'retiring' as const,
      retiredAt: now,
      verifyUntil: this.verifyUntil(now),
    };
    if (!(await rows.move(active.kid, 'active', retiring))) throw alreadyRotated();
    const activation = { status: 'active' as const, activatedAt: now };
    if (!(await rows.move(next.kid, 'next', activation))) throw alreadyRotated();
    const newNext = this.toRow(fresh, 'next');
    if (!(await rows.insert(newNext))) throw alreadyRotated();
    return {
      active: { ...next, ...activation },
      next: newNext,
      retiring: { ...active, ...retiring },
      pruned: await rows.deleteExpired(now),
    };
  }

  /**
   * Emergency revocation: the key stops verifying and its private part is erased. Revoking the
   * active key promotes the next key at once; a new next key replaces a revoked active or next key.
   * Returns the revoked row, or undefined for an unknown kid.
   */
  async revoke(kid: string): Promise<{ revoked: SigningKeyEntity; pruned: string[] } | undefined> {
    const target = await this.store.rows.findByKid(kid);
    if (!target) return undefined;
    const needsReplacement = target.status === 'active' || target.status === 'next';
    const fresh = needsReplacement ? await this.generator.generate() : undefined;
    return this.store.exclusive(async (rows) => {
      const current = await rows.findByKid(kid);
      if (!current) return undefined;
      if (current.status === 'revoked') return { revoked: current, pruned: [] };
      const now = this.clock.now();
      const revocation = { status: 'revoked' as const, revokedAt: now, privateKey: '' };
      if (!(await rows.move(kid, current.status, revocation))) throw alreadyRotated();
      if (current.status === 'active') await this.promoteNext(rows, now);
      if (current.status === 'active' || current.status === 'next') {
        // Statuses only move forward, so a key active or next now was so when first read and `fresh`
        // exists; the fallback only keeps the types honest.
        await rows.insert(this.toRow(fresh ?? (await this.generator.generate()), 'next'));
      }
      return { revoked: { ...current, ...revocation }, pruned: await rows.deleteExpired(now) };
    });
  }

  /** Deletes retiring keys whose verification window has passed. */
  prune(): Promise<string[]> {
    return this.store.exclusive((rows) => rows.deleteExpired(this.clock.now()));
  }

  private async promoteNext(rows: SigningKeyRows, now: number): Promise<void> {
    const next = await rows.findByStatus('next');
    if (next) await rows.move(next.kid, 'next', { status: 'active', activatedAt: now });
  }

  private assertPublishedLongEnough(next: SigningKeyEntity): void {
    const waitMs = next.publishedAt + this.config.jwksMaxAge * 1000 - this.clock.now();
    if (waitMs <= 0) return;
    const retryAfter = Math.ceil(waitMs / 1000);
    throw new KeycardError(ErrorCode.TooEarly, {
      message:
        `The next key entered the JWKS less than ${this.config.jwksMaxAge} s ago and verifiers may not ` +
        `have it yet: try again in ${retryAfter} s, or force the rotation`,
      headers: { 'Retry-After': String(retryAfter) },
      details: { retryAfter },
    });
  }

  /** The last moment a token signed just before retirement can still be valid, plus clock leeway. */
  private verifyUntil(retiredAt: number): number {
    return retiredAt + this.config.accessTokenTtl * 1000 + VERIFY_LEEWAY_MS;
  }

  private toRow(key: GeneratedKey, status: 'active' | 'next'): SigningKeyEntity {
    const now = this.clock.now();
    return Object.assign(new SigningKeyEntity(), {
      kid: key.kid,
      status,
      publicJwk: key.publicJwk,
      privateKey: this.cipher.seal(key.kid, key.privateKey),
      createdAt: now,
      publishedAt: now,
      activatedAt: status === 'active' ? now : null,
      retiredAt: null,
      verifyUntil: null,
      revokedAt: null,
    });
  }
}
