import type { DataSource, EntityMetadata, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import type { AtomicStatement } from './atomic-writes';
import { PostgresStatements } from './postgres-statements';

type Property<E> = keyof E & string;

/** A statement with its values, as `writeAtomically` and `DataSource.query` take it. */
export type BoundQuery = AtomicStatement['query'];

/**
 * The SQL of one entity's table for the statements a hot path runs with new values every time,
 * written once from the entity's metadata (quoted names, the driver's placeholders). Values go in
 * and rows come out converted as TypeORM converts them (`preparePersistentValue`,
 * `prepareHydratedValue`: transformers, booleans, JSON). TypeORM's query builder builds the SQL
 * again on every call: a refresh spent about 150 µs of CPU building its three writes, as much as
 * SQLite took to run them.
 */
export class TableSql<E extends ObjectLiteral> {
  private readonly metadata: EntityMetadata;
  private readonly postgres: PostgresStatements | undefined;
  /** The driver's placeholder of the statement's `index`-th value (from 0): `$1` or `?`. */
  readonly placeholder: (index: number) => string;

  constructor(
    private readonly dataSource: DataSource,
    entity: EntityTarget<E>,
  ) {
    this.metadata = dataSource.getMetadata(entity);
    this.postgres = PostgresStatements.of(dataSource);
    this.placeholder =
      dataSource.options.type === 'postgres' ? (index) => `$${index + 1}` : () => '?';
  }

  /** The table's quoted name. */
  get table(): string {
    return this.quote(this.metadata.tableName);
  }

  /** The quoted column of `property`, after `alias.` when given. */
  column(property: Property<E>, alias?: string): string {
    const name = this.quote(this.columnOf(property).databaseName);
    return alias === undefined ? name : `${alias}.${name}`;
  }

  /** `INSERT` of `properties` (default: every column); the values are read from an entity. */
  insert(properties: readonly Property<E>[] = this.properties()): (values: E) => BoundQuery {
    const columns = properties.map((property) => this.columnOf(property));
    const sql =
      `INSERT INTO ${this.table} (${properties.map((p) => this.column(p)).join(', ')}) ` +
      `VALUES (${properties.map((_p, i) => this.placeholder(i)).join(', ')})`;
    return (values) => [sql, columns.map((column) => this.persistent(values, column))];
  }

  /**
   * `INSERT … SELECT <values> FROM source`: one row for each row of `source` (a `WITH` part of the
   * statement, say), with the values' placeholders numbered from the `first`-th (from 0), after
   * those of the statement's other parts.
   */
  insertFrom(
    source: string,
    first: number,
    properties: readonly Property<E>[] = this.properties(),
  ): (values: E) => BoundQuery {
    const columns = properties.map((property) => this.columnOf(property));
    const sql =
      `INSERT INTO ${this.table} (${properties.map((p) => this.column(p)).join(', ')}) ` +
      `SELECT ${properties.map((_p, i) => this.placeholder(first + i)).join(', ')} FROM ${source}`;
    return (values) => [sql, columns.map((column) => this.persistent(values, column))];
  }

  /**
   * `UPDATE … SET set… WHERE where… [AND condition]`: `set` and `where` columns compared for
   * equality with the values given; `condition` is further SQL written with `column`.
   */
  update(
    set: readonly Property<E>[],
    where: readonly Property<E>[],
    condition?: string,
  ): (values: Partial<E>) => BoundQuery {
    const columns = [...set, ...where].map((property) => this.columnOf(property));
    const assign = set.map((p, i) => `${this.column(p)} = ${this.placeholder(i)}`);
    const match = where.map((p, i) => `${this.column(p)} = ${this.placeholder(set.length + i)}`);
    const sql =
      `UPDATE ${this.table} SET ${assign.join(', ')} ` +
      `WHERE ${[...match, ...(condition === undefined ? [] : [condition])].join(' AND ')}`;
    return (values) => [sql, columns.map((column) => this.persistent(values, column))];
  }

  /**
   * The columns of `properties` (default: every column) under `alias`, named `alias_property` for
   * `hydrate` (or `hydratePart`).
   */
  selectList(alias: string, properties: readonly Property<E>[] = this.properties()): string {
    return properties
      .map((property) => this.columnOf(property))
      .map(
        (c) =>
          `${alias}.${this.quote(c.databaseName)} AS ${this.quote(`${alias}_${c.propertyName}`)}`,
      )
      .join(', ');
  }

  /**
   * A read of the row whose `where` columns equal the values given (in that order, as the driver
   * binds them: ids, hashes), hydrated; null when there is none, as TypeORM's `findOneBy`.
   */
  findOne(where: readonly Property<E>[]): (...values: unknown[]) => Promise<E | null> {
    const match = where.map((p, i) => `${this.column(p, 't')} = ${this.placeholder(i)}`);
    const sql = `SELECT ${this.selectList('t')} FROM ${this.table} t WHERE ${match.join(' AND ')}`;
    return async (...values) => {
      const [row] = await this.rows(sql, values);
      return row === undefined ? null : this.hydrate(row, 't');
    };
  }

  /** The rows of a read written with this table's names (on PostgreSQL a prepared statement). */
  rows(sql: string, values: unknown[]): Promise<Record<string, unknown>[]> {
    return this.postgres
      ? this.postgres.rows<Record<string, unknown>>(sql, values)
      : (this.dataSource.query(sql, values) as Promise<Record<string, unknown>[]>);
  }

  /** Runs a write of this table (on PostgreSQL a prepared statement). */
  async execute([sql, values]: BoundQuery): Promise<void> {
    await this.rows(sql, values);
  }

  /** The entity in `row` under `alias` (see `selectList`). */
  hydrate(row: Record<string, unknown>, alias: string): E {
    return this.hydrateColumns(row, alias, this.metadata.columns) as E;
  }

  /** The `properties` of the entity in `row` under `alias`, selected by `selectList(alias, properties)`. */
  hydratePart<P extends Property<E>>(
    row: Record<string, unknown>,
    alias: string,
    properties: readonly P[],
  ): Pick<E, P> {
    return this.hydrateColumns(
      row,
      alias,
      properties.map((property) => this.columnOf(property)),
    ) as Pick<E, P>;
  }

  private hydrateColumns(
    row: Record<string, unknown>,
    alias: string,
    columns: readonly ColumnMetadata[],
  ): Partial<E> {
    const entity = this.metadata.create() as E;
    for (const column of columns) {
      const raw = row[`${alias}_${column.propertyName}`];
      column.setEntityValue(entity, this.dataSource.driver.prepareHydratedValue(raw, column));
    }
    return entity;
  }

  private properties(): Property<E>[] {
    return this.metadata.columns.map((column) => column.propertyName as Property<E>);
  }

  private columnOf(property: string): ColumnMetadata {
    const column = this.metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${this.metadata.name} has no column ${property}`);
    return column;
  }

  private persistent(values: Partial<E>, column: ColumnMetadata): unknown {
    return this.dataSource.driver.preparePersistentValue(column.getEntityValue(values), column);
  }

  private quote(name: string): string {
    return this.dataSource.driver.escape(name);
  }
}
