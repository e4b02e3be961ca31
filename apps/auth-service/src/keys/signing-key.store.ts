import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, LessThanOrEqual, MoreThan, Repository } from 'typeorm';
import { isUniqueViolation } from '../database/unique-violation';
import { Mutex } from './mutex';
import { SigningKeyEntity, SigningKeyStatus } from './signing-key.entity';

/** The reads and the conditional writes on `signing_keys`, bound to a connection or a transaction. */
export class SigningKeyRows {
  constructor(private readonly repo: Repository<SigningKeyEntity>) {}

  findByKid(kid: string): Promise<SigningKeyEntity | null> {
    return this.repo.findOneBy({ kid });
  }

  findByStatus(status: 'active' | 'next'): Promise<SigningKeyEntity | null> {
    return this.repo.findOneBy({ status });
  }

  findAll(): Promise<SigningKeyEntity[]> {
    return this.repo.find({ order: { createdAt: 'DESC', kid: 'ASC' } });
  }

  /** `next`, `active`, and `retiring` keys still inside their verification window. */
  findVerifiable(now: number): Promise<SigningKeyEntity[]> {
    return this.repo.find({
      where: [
        { status: In(['next', 'active']) },
        { status: 'retiring', verifyUntil: MoreThan(now) },
      ],
    });
  }

  /** Inserts a key; false when a unique index refused it (another writer got there first). */
  async insert(row: SigningKeyEntity): Promise<boolean> {
    try {
      await this.repo.insert(row);
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /**
   * `UPDATE … SET changes WHERE kid = :kid AND status = :from`: true only when this call made the
   * change, so of several racing writers exactly one wins.
   */
  async move(
    kid: string,
    from: SigningKeyStatus,
    changes: Partial<SigningKeyEntity>,
  ): Promise<boolean> {
    const result = await this.repo.update({ kid, status: from }, changes);
    return result.affected === 1;
  }

  /** Deletes retiring keys whose verification window has passed; returns their kids. */
  async deleteExpired(now: number): Promise<string[]> {
    const expired = await this.repo.find({
      select: { kid: true },
      where: { status: 'retiring', verifyUntil: LessThanOrEqual(now) },
    });
    if (expired.length === 0) return [];
    const kids = expired.map((row) => row.kid);
    await this.repo.delete({
      kid: In(kids),
      status: 'retiring',
      verifyUntil: LessThanOrEqual(now),
    });
    return kids;
  }
}

/**
 * Storage of the signing keys. `exclusive()` is how key changes are serialised: on PostgreSQL a
 * transaction holding an advisory lock (exclusive across processes); on SQLite, which runs on one
 * connection where TypeORM cannot queue transactions, an in-process mutex, with the conditional
 * updates of `SigningKeyRows.move` guarding against any other writer.
 */
@Injectable()
export class SigningKeyStore {
  private readonly mutex = new Mutex();
  readonly rows: SigningKeyRows;

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {
    this.rows = new SigningKeyRows(dataSource.getRepository(SigningKeyEntity));
  }

  exclusive<T>(work: (rows: SigningKeyRows) => Promise<T>): Promise<T> {
    return this.mutex.run(() => {
      if (this.dataSource.options.type !== 'postgres') return work(this.rows);
      return this.dataSource.transaction(async (manager) => {
        await manager.query(`SELECT pg_advisory_xact_lock(hashtext('keycard.signing_keys'))`);
        return work(new SigningKeyRows(manager.getRepository(SigningKeyEntity)));
      });
    });
  }
}
