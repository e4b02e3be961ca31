import { EpochColumn } from '@keycard/common';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A document owned by one principal (`sub`); admins see every document. */
@Entity({ name: 'documents' })
@Index('IDX_documents_owner_id', ['ownerId'])
export class DocumentEntity {
  /** A uuid made in code. */
  @PrimaryColumn({ type: 'varchar', length: 36, primaryKeyConstraintName: 'PK_documents' })
  id!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 255 })
  ownerId!: string;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  body!: string;

  @EpochColumn({ name: 'created_at' })
  createdAt!: number;

  @EpochColumn({ name: 'updated_at' })
  updatedAt!: number;
}
