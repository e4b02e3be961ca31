import type { ColumnOptions, ValueTransformer } from 'typeorm';
import { Column } from 'typeorm';

const toNumber: ValueTransformer = {
  to: (value: number | null | undefined) => value,
  from: (value: string | number | null) =>
    value === null || value === undefined ? null : Number(value),
};

/**
 * A point in time as epoch milliseconds (`bigint`), the one column type that means the same on
 * SQLite and PostgreSQL. `pg` returns bigint as text, hence the transformer.
 */
export function EpochColumn(
  options: Pick<ColumnOptions, 'nullable' | 'name'> = {},
): PropertyDecorator {
  return Column({
    type: 'bigint',
    transformer: toNumber,
    nullable: options.nullable ?? false,
    name: options.name,
  });
}
