import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { EpochColumn } from '@keycard/common';
import type { AuditActorType, AuditDetails, AuditOutcome } from './audit-events';

/** Longest user agent kept; longer ones are cut (as for sessions). */
export const AUDIT_USER_AGENT_MAX_LENGTH = 256;

/**
 * One security event (see `AuditService`). Append-only: rows are never updated, only pruned by
 * age. `details` is small and never holds a secret (`scrubDetails`).
 */
@Entity('audit_events')
@Index('idx_audit_events_at', ['at'])
@Index('idx_audit_events_type_at', ['type', 'at', 'id'])
@Index('idx_audit_events_actor', ['actorId'])
@Index('idx_audit_events_subject', ['subjectId'])
export class AuditEventEntity {
  /** A UUID generated in code. */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'pk_audit_events' })
  id!: string;

  @EpochColumn()
  at!: number;

  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  outcome!: AuditOutcome;

  /** A user id, client id or API key id; null for an anonymous caller. */
  @Column({ name: 'actor_id', type: 'varchar', length: 128, nullable: true })
  actorId!: string | null;

  @Column({ name: 'actor_type', type: 'varchar', length: 16, nullable: true })
  actorType!: AuditActorType | null;

  /** What the event was about: a user id, kid, API key id, client id, refresh family id… */
  @Column({ name: 'subject_id', type: 'varchar', length: 128, nullable: true })
  subjectId!: string | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  ip!: string | null;

  @Column({
    name: 'user_agent',
    type: 'varchar',
    length: AUDIT_USER_AGENT_MAX_LENGTH,
    nullable: true,
  })
  userAgent!: string | null;

  @Column({ type: 'simple-json', nullable: true })
  details!: AuditDetails | null;
}
