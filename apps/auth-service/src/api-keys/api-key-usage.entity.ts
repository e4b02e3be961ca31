import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Requests made with one key on one UTC day; counts are added by an atomic upsert. */
@Entity('api_key_usage')
export class ApiKeyUsageEntity {
  @PrimaryColumn({
    name: 'key_id',
    type: 'varchar',
    length: 36,
    primaryKeyConstraintName: 'pk_api_key_usage',
  })
  keyId!: string;

  /** `YYYY-MM-DD`, UTC. */
  @PrimaryColumn({ type: 'varchar', length: 10, primaryKeyConstraintName: 'pk_api_key_usage' })
  day!: string;

  @Column({ type: 'integer' })
  count!: number;
}
