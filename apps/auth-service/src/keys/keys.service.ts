import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { KeyObject } from 'node:crypto';
import { authConfig, AuthSettings } from '../config/auth.config';
import { RevocationEvents } from '../revocation/revocation-events.service';
import { KeyCipher } from './key-cipher';
import { KeyLifecycle, RotateOptions } from './key-lifecycle';
import { PublishedJwk } from './key-material';
import {
  byJwksOrder,
  KeyListing,
  toListing,
  toVerifiable,
  VerifiableKey,
  verifiesAt,
} from './key-views';
import { RefreshingCache } from './refreshing-cache';
import { SigningKeyStore } from './signing-key.store';

/** How long this instance trusts its snapshot of verifiable keys (other instances' revocations). */
export const VERIFICATION_CACHE_MS = 5_000;
/** Upper bound of the signing-key cache; it is also never longer than `JWKS_MAX_AGE`. */
export const MAX_SIGNING_CACHE_MS = 30_000;

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface RotationResult {
  active: KeyListing;
  next: KeyListing;
  retiring: KeyListing;
}

/** Called with kids that stopped verifying (revoked, or retired past their window); may repeat a kid. */
export type KeysRemovedListener = (kids: string[]) => void;

type Snapshot = Map<string, VerifiableKey>;

/**
 * The RS256 signing keys: which key signs, which keys verify, the JWKS, and the admin operations
 * (rotate, revoke). State lives in the database so several instances agree; each instance caches
 * the signing key for at most min(`JWKS_MAX_AGE`, 30 s) and the verifiable keys for 5 s, and
 * drops both at once after a change it made itself.
 */
@Injectable()
export class KeysService implements OnModuleInit {
  private readonly logger = new Logger(KeysService.name);
  private readonly signing: RefreshingCache<SigningKey>;
  private readonly snapshot: RefreshingCache<Snapshot>;
  private readonly listeners = new Set<KeysRemovedListener>();
  private knownKids = new Set<string>();

  constructor(
    private readonly lifecycle: KeyLifecycle,
    private readonly store: SigningKeyStore,
    private readonly cipher: KeyCipher,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) config: AuthSettings,
    private readonly revocations: RevocationEvents,
  ) {
    // Another instance's (or the command line's) revocation: stop verifying with the key at once.
    revocations.subscribe((event) => {
      if (event.kind === 'kid' && this.knownKids.has(event.subject))
        void this.refresh([event.subject]).catch(() => this.snapshot.invalidate());
    });
    const signingMaxAge = Math.min(config.jwksMaxAge * 1000, MAX_SIGNING_CACHE_MS);
    this.signing = new RefreshingCache(() => this.loadSigningKey(), signingMaxAge, clock);
    this.snapshot = new RefreshingCache(() => this.loadSnapshot(), VERIFICATION_CACHE_MS, clock);
  }

  /** Creates the first keys if needed; a wrong `KEYS_ENCRYPTION_SECRET` stops start-up here. */
  async onModuleInit(): Promise<void> {
    const { next } = await this.lifecycle.ensureKeys();
    this.cipher.open(next.kid, next.privateKey);
    await Promise.all([this.signing.get(), this.snapshot.get()]);
  }

  /** The active key, for signing access tokens. */
  async getSigningKey(): Promise<SigningKey> {
    const [signing, snapshot] = await Promise.all([this.signing.get(), this.snapshot.get()]);
    if (snapshot.has(signing.kid)) return signing;
    // Revoked by another instance: stop signing with it as soon as the snapshot shows it.
    this.signing.invalidate();
    return this.signing.get();
  }

  /** The public key for a kid that may verify tokens now (next, active, or retiring within its window). */
  async getVerificationKey(kid: string): Promise<KeyObject | undefined> {
    const key = (await this.snapshot.get()).get(kid);
    return key && verifiesAt(key, this.clock.now()) ? key.publicKey : undefined;
  }

  /** The public JWKS: next, active and retiring-within-window keys, public members only. */
  async jwks(): Promise<{ keys: PublishedJwk[] }> {
    const now = this.clock.now();
    const keys = [...(await this.snapshot.get()).values()].filter((key) => verifiesAt(key, now));
    return { keys: keys.sort(byJwksOrder).map((key) => key.jwk) };
  }

  async list(): Promise<KeyListing[]> {
    return (await this.store.rows.findAll()).map(toListing);
  }

  /**
   * Next → active, active → retiring, and a new next key. Acts on the keys current when called:
   * if another rotation commits first, this one fails with 409 `conflict` instead of rotating twice.
   * 409 `too_early` (with `retryAfter` seconds) while the next key is younger than `JWKS_MAX_AGE`,
   * unless `force`.
   */
  async rotate(options: RotateOptions = {}): Promise<RotationResult> {
    const rotation = await this.lifecycle.rotate(options);
    this.logger.log(
      `Signing keys rotated${options.force ? ' (forced)' : ''}: ${rotation.active.kid} active, ` +
        `${rotation.next.kid} next, ${rotation.retiring.kid} retiring`,
    );
    await this.refresh(rotation.pruned);
    return {
      active: toListing(rotation.active),
      next: toListing(rotation.next),
      retiring: toListing(rotation.retiring),
    };
  }

  /** Emergency revocation (idempotent); 404 `not_found` for an unknown kid. */
  async revoke(kid: string): Promise<KeyListing> {
    // The event first (verifiers drop the key): a crash before the revocation itself only
    // stops verifiers early, it never leaves them trusting a revoked key.
    if (await this.store.rows.findByKid(kid))
      await this.revocations.record([{ kind: 'kid', subject: kid }]);
    const result = await this.lifecycle.revoke(kid);
    if (!result) throw new KeycardError(ErrorCode.NotFound, { message: 'No such signing key' });
    this.logger.warn(`Signing key ${kid} revoked`);
    await this.refresh([kid, ...result.pruned]);
    return toListing(result.revoked);
  }

  /** Deletes retiring keys whose verification window has passed. */
  async prune(): Promise<void> {
    const pruned = await this.lifecycle.prune();
    if (pruned.length > 0) await this.refresh(pruned);
  }

  /** Subscribes to kids that stop verifying; returns the unsubscribe function. */
  onKeysRemoved(listener: KeysRemovedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private async refresh(removed: string[]): Promise<void> {
    this.signing.invalidate();
    this.snapshot.invalidate();
    this.notifyRemoved(removed);
    await Promise.all([this.signing.get(), this.snapshot.get()]);
  }

  private async loadSigningKey(): Promise<SigningKey> {
    const active =
      (await this.store.rows.findByStatus('active')) ?? (await this.lifecycle.ensureKeys()).active;
    return { kid: active.kid, privateKey: this.cipher.open(active.kid, active.privateKey) };
  }

  private async loadSnapshot(): Promise<Snapshot> {
    const rows = await this.store.rows.findVerifiable(this.clock.now());
    const snapshot: Snapshot = new Map(rows.map((row) => [row.kid, toVerifiable(row)]));
    this.notifyRemoved([...this.knownKids].filter((kid) => !snapshot.has(kid)));
    this.knownKids = new Set(snapshot.keys());
    return snapshot;
  }

  private notifyRemoved(kids: string[]): void {
    const removed = kids.filter((kid) => this.knownKids.delete(kid));
    if (removed.length === 0) return;
    for (const listener of this.listeners) {
      try {
        listener(removed);
      } catch (error) {
        this.logger.error(
          `A keys-removed listener failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
  }
}
