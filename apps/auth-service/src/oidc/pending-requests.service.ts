import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock, randomToken, sha256Hex } from '@keycard/common';
import type { AuthorizationRequest } from './authorize-request';
import { OidcPendingRequestEntity } from './oidc-records.entity';

/** As long as the sign-in form remembers where to come back to (`return-path.ts`). */
const PENDING_TTL_MS = 15 * 60_000;
const HANDLE = /^[A-Za-z0-9_-]{43}$/;

/** A request waiting for the user; `loginAfter`: a sign-in at or after it satisfies the request. */
export interface PendingRequest {
  request: AuthorizationRequest;
  loginAfter?: number;
}

/**
 * Authorization requests waiting for a sign-in or a consent decision, kept in the database so
 * that any instance can resume them. Each is found by a random handle (stored hashed) and used
 * once: taking it deletes it.
 */
@Injectable()
export class PendingRequestsService {
  constructor(
    @InjectRepository(OidcPendingRequestEntity)
    private readonly pending: Repository<OidcPendingRequestEntity>,
    private readonly clock: Clock,
  ) {}

  /** Stores the request; returns its handle. */
  async save(entry: PendingRequest): Promise<string> {
    const now = this.clock.now();
    const handle = randomToken(32);
    await this.pending.insert({
      handleHash: sha256Hex(handle),
      request: JSON.stringify(entry),
      createdAt: now,
      expiresAt: now + PENDING_TTL_MS,
    });
    return handle;
  }

  /** The request behind a handle, left in place; undefined when unknown or expired. */
  async peek(handle: unknown): Promise<PendingRequest | undefined> {
    if (typeof handle !== 'string' || !HANDLE.test(handle)) return undefined;
    const row = await this.pending.findOneBy({ handleHash: sha256Hex(handle) });
    if (row === null || row.expiresAt <= this.clock.now()) return undefined;
    return JSON.parse(row.request) as PendingRequest;
  }

  /** The request behind a handle, deleted as it is read; undefined when unknown or expired. */
  async take(handle: unknown): Promise<PendingRequest | undefined> {
    if (typeof handle !== 'string' || !HANDLE.test(handle)) return undefined;
    const handleHash = sha256Hex(handle);
    const row = await this.pending.findOneBy({ handleHash });
    if (row === null) return undefined;
    const deleted = await this.pending.delete({ handleHash });
    if (!deleted.affected || row.expiresAt <= this.clock.now()) return undefined;
    return JSON.parse(row.request) as PendingRequest;
  }
}
