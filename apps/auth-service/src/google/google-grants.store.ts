import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock, sha256Hex } from '@keycard/common';
import { GoogleGrantEntity, GoogleGrantKind } from './google-grant.entity';

/**
 * Single-use, expiring records keyed by a random value the caller keeps (only its hash is stored).
 * `take` is one conditional DELETE checked through `affected`: of two concurrent takes exactly one
 * wins, on SQLite (one connection, no transaction queue) and PostgreSQL alike.
 */
@Injectable()
export class GoogleGrantsStore {
  constructor(
    @InjectRepository(GoogleGrantEntity) private readonly repository: Repository<GoogleGrantEntity>,
    private readonly clock: Clock,
  ) {}

  async put(
    kind: GoogleGrantKind,
    key: string,
    payload: Record<string, string>,
    ttlMs: number,
  ): Promise<void> {
    const now = this.clock.now();
    // Sweep what has expired, so abandoned sign-ins do not pile up.
    await this.repository.delete({ expiresAt: LessThan(now) });
    await this.repository.insert({
      keyHash: sha256Hex(key),
      kind,
      payload,
      createdAt: now,
      expiresAt: now + ttlMs,
    });
  }

  /** The payload without using it up (a pending link survives a wrong password), or null. */
  async peek(kind: GoogleGrantKind, key: string): Promise<Record<string, string> | null> {
    const grant = await this.repository.findOneBy({ keyHash: sha256Hex(key), kind });
    return grant && this.clock.now() < grant.expiresAt ? grant.payload : null;
  }

  /** The payload once, or null: unknown, of another kind, already taken, or expired. */
  async take(kind: GoogleGrantKind, key: string): Promise<Record<string, string> | null> {
    const keyHash = sha256Hex(key);
    const grant = await this.repository.findOneBy({ keyHash, kind });
    if (!grant) return null;
    const result = await this.repository.delete({ keyHash, kind });
    if (result.affected !== 1) return null;
    return this.clock.now() < grant.expiresAt ? grant.payload : null;
  }
}
