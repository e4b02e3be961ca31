import { QueryFailedError } from 'typeorm';

/** Driver codes for "a unique index or primary key already holds this value". */
const UNIQUE_VIOLATION_CODES = new Set([
  '23505',
  'SQLITE_CONSTRAINT_UNIQUE',
  'SQLITE_CONSTRAINT_PRIMARYKEY',
]);

/** True when an insert lost a race against a unique index (PostgreSQL or SQLite). */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError: unknown = error.driverError;
  const code =
    typeof driverError === 'object' && driverError !== null
      ? (driverError as { code?: unknown }).code
      : undefined;
  return typeof code === 'string' && UNIQUE_VIOLATION_CODES.has(code);
}
