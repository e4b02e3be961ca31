import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';
import type { RevocationEvent, RevocationKind } from '@keycard/auth';

/**
 * One entry of the revocation log: what a revocation covers (`kind` + `subject`) and from when,
 * written in the same transaction as the revocation itself. `id` is the log position verifiers
 * resume from; entries are deleted once `expiresAt` has passed (no token they cover is left).
 */
@Entity('revocation_events')
@Index('ix_revocation_events_expires', ['expiresAt'])
export class RevocationEventEntity {
  /** SQLite's AUTOINCREMENT and PostgreSQL's SERIAL: never reused, even after a prune. */
  @PrimaryGeneratedColumn({ type: 'integer', primaryKeyConstraintName: 'pk_revocation_events' })
  id!: number;

  @Column({ type: 'varchar', length: 16 })
  kind!: RevocationKind;

  @Column({ type: 'varchar', length: 200 })
  subject!: string;

  @EpochColumn()
  at!: number;

  @EpochColumn({ name: 'expires_at' })
  expiresAt!: number;
}

/** The wire form of a row. */
export function toRevocationEvent(row: RevocationEventEntity): RevocationEvent {
  return {
    id: row.id,
    kind: row.kind,
    subject: row.subject,
    at: row.at,
    expiresAt: row.expiresAt,
  };
}
