import type { SelectQueryBuilder } from 'typeorm';
import { Brackets } from 'typeorm';
import { ErrorCode, KeycardError } from '@keycard/common';
import type { UserEntity } from './user.entity';

/** What `GET /admin/users` narrows the list to; an empty field filters nothing. */
export interface UserFilter {
  /** A normalized address (trimmed, lowercased): its prefix, or the whole address when `exactEmail`. */
  email?: string;
  exactEmail?: boolean;
  /**
   * Text that starts a word of the address or the name (see `WORD_SEPARATORS`), or, after a
   * leading `*`, text anywhere in them; case-insensitive either way.
   */
  q?: string;
}

/**
 * Where a word of an address or a name starts, for `q`: at the start of the text, at one of these
 * characters and right after one. `q=acme` finds `bob@acme.com` and `q=smith` finds
 * `bob.smith@…` and `Jo Smith`, but `q=mith` finds neither (`q=*mith` does). PostgreSQL's
 * `keycard_user_search_words` (migration `UserSearchWords1764300009000`) uses the same list.
 */
export const WORD_SEPARATORS = " @._+-',/()&";

/** `q` read: the words' start to look for, or text anywhere (a leading `*`); null filters nothing. */
export function searchText(q: string | undefined): { text: string; anywhere: boolean } | null {
  const trimmed = q?.trim().toLowerCase() ?? '';
  const anywhere = trimmed.startsWith('*');
  const text = anywhere ? trimmed.replace(/^\*+/, '').replace(/\*+$/, '').trim() : trimmed;
  return text === '' ? null : { text, anywhere };
}

/**
 * The prefix query of `text` in PostgreSQL's `tsquery` syntax: one quoted lexeme (a quote doubled,
 * a backslash escaped) that matches every word-start suffix beginning with `text`.
 */
export function wordStartQuery(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "''")}':*`;
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
 * Narrows `query` (alias `user`) to `filter`. On PostgreSQL:
 * - an address prefix is a LIKE that the `varchar_pattern_ops` index answers under any collation;
 * - a word-start `q` is a prefix query that the GIN index of `keycard_user_search_words` answers,
 *   reading only the words that start with the text, so it costs the same at any size;
 * - `q=*text` is a LIKE `%text%` that the `pg_trgm` indexes answer when the extension was
 *   available (three characters or more): slower at scale, as every trigram of the text is read.
 * SQLite's LIKE ignores an index of the default BINARY collation, so there the prefix is also a
 * range on the unique index (addresses are stored lowercased; the LIKE keeps the match exact).
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
  const search = searchText(filter.q);
  if (search?.anywhere) {
    query.andWhere(
      new Brackets((either) =>
        either
          .where(`user.email LIKE :text ESCAPE '\\'`)
          .orWhere(`LOWER(user.name) LIKE :text ESCAPE '\\'`),
      ),
      { text: `%${likeLiteral(search.text)}%` },
    );
  } else if (search && dialect === 'postgres') {
    // The expression of the GIN index `idx_users_search_words`, so that the index answers it.
    query.andWhere('keycard_user_search_words(user.email, user.name) @@ CAST(:words AS tsquery)', {
      words: wordStartQuery(search.text),
    });
  } else if (search) {
    query.andWhere(wordStartsOnSqlite(search.text));
  }
  return query;
}

/**
 * SQLite's form of the word-start match (it has no index for it; an embedded database holds few
 * users): the text starts the address or the name, or follows a separator in it, or, when the text
 * itself starts with a separator, is anywhere in it.
 */
function wordStartsOnSqlite(text: string): Brackets {
  const literal = likeLiteral(text);
  const patterns = [
    `${literal}%`,
    ...[...WORD_SEPARATORS].map((c) => `%${likeLiteral(c)}${literal}%`),
  ];
  if (WORD_SEPARATORS.includes(text[0])) patterns.push(`%${literal}%`);
  return new Brackets((either) => {
    patterns.forEach((pattern, i) => {
      const parameters = { [`word${i}`]: pattern };
      either
        .orWhere(`user.email LIKE :word${i} ESCAPE '\\'`, parameters)
        .orWhere(`LOWER(user.name) LIKE :word${i} ESCAPE '\\'`, parameters);
    });
  });
}

/** Whether `filter` lets every user through (an empty or blank `email` and `q`, or a `q` of `*` alone). */
export function filtersNothing(filter: UserFilter): boolean {
  return (filter.email ?? '') === '' && searchText(filter.q) === null;
}

/** The users of `filter` in the list's order: creation time, then id (the ties' tiebreak). */
export function orderedUsers(
  query: SelectQueryBuilder<UserEntity>,
  filter: UserFilter,
  dialect: 'postgres' | 'sqlite',
): SelectQueryBuilder<UserEntity> {
  const filtered = filterUsers(query, filter, dialect);
  const search = searchText(filter.q);
  if (dialect === 'postgres' && search && !search.anywhere) {
    // The same order, through an expression the (created_at, id) index cannot answer: PostgreSQL
    // estimates a rare word start at 0.5–2 % of the users, and would walk that index to fill a
    // page, computing the words of every user it passes (about 17 µs each), through all of them
    // when the word is rare: some 17 s at a million. Sorting what the words index finds costs in
    // proportion to the matches.
    return filtered.orderBy('"user"."created_at" + 0', 'ASC').addOrderBy('user.id', 'ASC');
  }
  return filtered.orderBy('user.createdAt', 'ASC').addOrderBy('user.id', 'ASC');
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
