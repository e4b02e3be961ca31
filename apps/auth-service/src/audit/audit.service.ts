import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { LessThan, Repository } from 'typeorm';
import { Clock, timeOrderedUuid } from '@keycard/common';
import type { AtomicStatement } from '../database/atomic-writes';
import { currentRequestContext } from './audit-context';
import { AuditEventWriter } from './audit-event.writer';
import { scrubDetails } from './audit-details';
import { AUDIT_USER_AGENT_MAX_LENGTH, AuditEventEntity } from './audit-event.entity';
import type { AuditRecord } from './audit-events';

const IP_MAX_LENGTH = 64;

/**
 * The audit trail: one row per security event. Recording is fire-and-forget for the request
 * path: `record` never throws and never rejects (a failed write is logged), so callers write
 * `void audit.record(…)`; tests await the promise it returns, or `flush()`.
 *
 * Retention: the retention job (`../retention/`) deletes events older than `AUDIT_RETENTION`.
 */
@Injectable()
export class AuditService {
  private readonly logger = new Logger(AuditService.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @InjectRepository(AuditEventEntity) private readonly events: Repository<AuditEventEntity>,
    private readonly writer: AuditEventWriter,
    private readonly clock: Clock,
  ) {}

  /** Stores the event; resolves when written or when the write failed (logged). Never rejects. */
  record(event: AuditRecord): Promise<void> {
    const write = this.write(event).catch((error: unknown) => {
      this.logger.error(
        `Could not record audit event ${event.type}: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    this.pending.add(write);
    void write.finally(() => this.pending.delete(write));
    return write;
  }

  /** Waits for every write started so far (tests, and shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }

  /** Deletes events older than `olderThan` (epoch ms); returns how many went. */
  async prune(olderThan: number): Promise<number> {
    const result = await this.events.delete({ at: LessThan(olderThan) });
    return result.affected ?? 0;
  }

  /**
   * The statement storing `event`, for a transaction that must not commit without its record
   * (`writeAtomically`): unlike `record`, a row that cannot be written fails the transaction.
   */
  statement(event: AuditRecord): AtomicStatement {
    return this.writer.statement(this.row(event));
  }

  private async write(event: AuditRecord): Promise<void> {
    await this.writer.insert(this.row(event));
  }

  /** The row of `event`: secret-looking details dropped, the request's actor, IP and agent. */
  private row(event: AuditRecord): AuditEventEntity {
    const context = currentRequestContext();
    const { details, dropped } = scrubDetails(event.details);
    if (dropped.length > 0) {
      this.logger.warn(
        `Audit event ${event.type}: dropped secret-looking details ${dropped.join(', ')}`,
      );
    }
    const actor = event.actor === undefined ? (context?.actor ?? null) : event.actor;
    const ip = event.ip === undefined ? (context?.ip ?? null) : event.ip;
    const userAgent =
      event.userAgent === undefined ? (context?.userAgent ?? null) : event.userAgent;
    const at = this.clock.now();
    return {
      id: timeOrderedUuid(at),
      at,
      type: event.type,
      outcome: event.outcome,
      actorId: actor?.id ?? null,
      actorType: actor?.type ?? null,
      subjectId: event.subjectId ?? null,
      ip: ip === null ? null : ip.slice(0, IP_MAX_LENGTH),
      userAgent: userAgent === null ? null : userAgent.slice(0, AUDIT_USER_AGENT_MAX_LENGTH),
      details,
    };
  }
}
