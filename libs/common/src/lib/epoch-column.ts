import type { ColumnOptions, ValueTransformer } from 'typeorm';
import { Column } from 'typeorm';

/**
 * Written as a `bigint` and read back as a number. TypeORM's SQLite driver writes a JavaScript
 * number into the SQL text itself instead of binding it, so every statement with a time in it
 * would be new SQL: prepared again each time and pushing the stable statements out of TypeORM's
 * statement cache. A `bigint` is bound like a string (`pg` sends its text, better-sqlite3 an
 * integer). `pg` returns bigint columns as text, hence `from`.
 */
const epochMillis: ValueTransformer = {
  to: (value: unknown) => (Number.isInteger(value) ? BigInt(value as number) : value),
  from: (value: string | number | bigint | null) =>
    value === null || value === undefined ? null : Number(value),
};

/**
 * A point in time as epoch milliseconds (`bigint`), the one column type that means the same on
 * SQLite and PostgreSQL. Entities hold it as a number; see `epochMillis` for how it is written.
 */
export function EpochColumn(
  options: Pick<ColumnOptions, 'nullable' | 'name'> = {},
): PropertyDecorator {
  return Column({
    type: 'bigint',
    transformer: epochMillis,
    nullable: options.nullable ?? false,
    name: options.name,
  });
}
