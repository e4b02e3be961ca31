import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';

export type MailStatus = 'pending' | 'sent' | 'failed';

/**
 * The outbox: one row per message to send. A request only inserts a row; the worker
 * (`MailOutboxWorker`) sends it, retries with backoff and gives up after a bounded number of
 * attempts. The bodies carry one-time links, so they are blanked once the row is settled.
 */
@Entity('mail_outbox')
@Index('ix_mail_outbox_due', ['status', 'nextAttemptAt'])
export class MailMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_mail_outbox' })
  id!: string;

  @Column({ name: 'to_address', type: 'varchar', length: 254 })
  to!: string;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @Column({ name: 'text_body', type: 'text' })
  text!: string;

  @Column({ name: 'html_body', type: 'text' })
  html!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: MailStatus;

  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** When the worker may (re)try it; also the lease of a send in progress. */
  @EpochColumn({ name: 'next_attempt_at' })
  nextAttemptAt!: number;

  /** The last delivery error (no message content), for the operator. */
  @Column({ name: 'last_error', type: 'varchar', length: 500, nullable: true })
  lastError!: string | null;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'settled_at', nullable: true })
  settledAt!: number | null;
}
