import type { SelectQueryBuilder } from 'typeorm';
import { Brackets } from 'typeorm';
import { ErrorCode, KeycardError } from '@keycard/common';
import type { UserEntity } from './user.entity';

/** What `GET /admin/users` narrows the list to; an empty field filters nothing. */
export interface UserFilter {
  /** A normalized address (trimmed, lowercased): its prefix, or the whole address when `exactEmail`. */
  email?: string;
  exactEmail?: boolean;
  /** Part of the address or the name, matched case-insensitively. */
  q?: string;
}

/** Where a keyset page starts: after this user in the list's order (`created_at`, then `id`). */
export interface UserCursor {
  createdAt: number;
  id: string;
}

const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,96}$/;
const CURSOR_FIELDS = /^(\d{1,15}):([A-Za-z0-9-]{1,36})$/;

/** The opaque `nextCursor` for the page after `user`. */
export function encodeUserCursor(user: UserCursor): string {
  return Buffer.from(`${user.createdAt}:${user.id}`).toString('base64url');
}

/**
 * A cursor this endpoint gave out, or 400 `validation_failed` for anything else (a cursor is
 * re-encoded and compared, so no lenient base64 reading lets a different text pass).
 */
export function decodeUserCursor(text: string): UserCursor {
  const fields = CURSOR_TEXT.test(text)
    ? CURSOR_FIELDS.exec(Buffer.from(text, 'base64url').toString('latin1'))
    : null;
  const cursor = fields ? { createdAt: Number(fields[1]), id: fields[2] } : undefined;
  if (!cursor || encodeUserCursor(cursor) !== text) {
    throw new KeycardError(ErrorCode.ValidationFailed, {
      message: ['cursor must be a nextCursor this endpoint returned'],
      reason: 'admin users: malformed cursor',
    });
  }
  return cursor;
}

/** `%`, `_` and `\` match themselves in a LIKE pattern with `ESCAPE '\'`. */
export function likeLiteral(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * Narrows `query` (alias `user`) to `filter`. On PostgreSQL an address prefix is a LIKE that the
 * `varchar_pattern_ops` index answers under any collation, and `q` a LIKE that the `pg_trgm`
 * indexes answer when the extension was available (three characters or more). SQLite's LIKE
 * ignores an index of the default BINARY collation, so there the prefix is also a range on the
 * unique index (addresses are stored lowercased; the LIKE keeps the match exact).
 */
export function filterUsers(
  query: SelectQueryBuilder<UserEntity>,
  filter: UserFilter,
  dialect: 'postgres' | 'sqlite',
): SelectQueryBuilder<UserEntity> {
  const email = filter.email ?? '';
  if (email !== '' && filter.exactEmail) {
    query.andWhere('user.email = :email', { email });
  } else if (email !== '') {
    query.andWhere(`user.email LIKE :prefix ESCAPE '\\'`, { prefix: `${likeLiteral(email)}%` });
    if (dialect === 'sqlite') {
      // Every address that starts with `email` sorts between these two (U+10FFFF is the last
      // code point, and SQLite compares UTF-8 bytes).
      query.andWhere('user.email >= :low AND user.email < :high', {
        low: email,
        high: `${email}\u{10FFFF}`,
      });
    }
  }
  const text = filter.q?.trim().toLowerCase() ?? '';
  if (text !== '') {
    query.andWhere(
      new Brackets((either) =>
        either
          .where(`user.email LIKE :text ESCAPE '\\'`)
          .orWhere(`LOWER(user.name) LIKE :text ESCAPE '\\'`),
      ),
      { text: `%${likeLiteral(text)}%` },
    );
  }
  return query;
}

/** Whether `filter` lets every user through (an empty or blank `email` and `q` filter nothing). */
export function filtersNothing(filter: UserFilter): boolean {
  return (filter.email ?? '') === '' && (filter.q?.trim() ?? '') === '';
}

/** The users of `filter` in the list's order: creation time, then id (the ties' tiebreak). */
export function orderedUsers(
  query: SelectQueryBuilder<UserEntity>,
  filter: UserFilter,
  dialect: 'postgres' | 'sqlite',
): SelectQueryBuilder<UserEntity> {
  return filterUsers(query, filter, dialect)
    .orderBy('user.createdAt', 'ASC')
    .addOrderBy('user.id', 'ASC');
}

/** The users after `cursor` in the list's order; a row comparison that the (created_at, id) index answers. */
export function afterUser(
  query: SelectQueryBuilder<UserEntity>,
  cursor: UserCursor,
): SelectQueryBuilder<UserEntity> {
  return query.andWhere('(user.createdAt, user.id) > (:afterCreatedAt, :afterId)', {
    afterCreatedAt: cursor.createdAt,
    afterId: cursor.id,
  });
}

/**
 * How many users `query` (filtered, unordered) finds: `COUNT(*)`, not the `COUNT(DISTINCT id)`
 * of TypeORM's `getCount`, which PostgreSQL answers by sorting every id (there is no join here to
 * deduplicate; at a million users that sort made the count about ten times slower).
 */
export async function countUsers(query: SelectQueryBuilder<UserEntity>): Promise<number> {
  const row = await query.select('COUNT(*)', 'total').getRawOne<{ total: string | number }>();
  return Number(row?.total ?? 0);
}
