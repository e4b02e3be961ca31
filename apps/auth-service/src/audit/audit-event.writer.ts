import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AtomicStatement } from '../database/atomic-writes';
import type { BoundQuery } from '../database/table-sql';
import { TableSql } from '../database/table-sql';
import { AuditEventEntity } from './audit-event.entity';

/**
 * Writes audit rows with one INSERT written once (`TableSql`): a login, a grant and a code
 * redemption each store an event, and TypeORM's query builder built that INSERT again for every one.
 */
@Injectable()
export class AuditEventWriter {
  private readonly table: TableSql<AuditEventEntity>;
  private readonly insertRow: (row: AuditEventEntity) => BoundQuery;

  constructor(@InjectRepository(AuditEventEntity) events: Repository<AuditEventEntity>) {
    this.table = new TableSql(events.manager.dataSource, AuditEventEntity);
    this.insertRow = this.table.insert();
  }

  /** Stores `row` on its own. */
  insert(row: AuditEventEntity): Promise<void> {
    return this.table.execute(this.insertRow(row));
  }

  /** The statement storing `row`, for a transaction (`writeAtomically`). */
  statement(row: AuditEventEntity): AtomicStatement {
    return { query: this.insertRow(row) };
  }
}
