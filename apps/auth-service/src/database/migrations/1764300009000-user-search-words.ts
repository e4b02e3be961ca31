import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /admin/users?q=` as a word-start search that costs the same at a million users
 * (`users/user-search.ts`). The trigram indexes of `AdminUserSearch1764300006000` answer
 * `LIKE '%text%'` by reading the posting list of every trigram of the text, and trigrams such as
 * `use` or `exa` are in most addresses: 6–7 ms for a few matches at a million users, against
 * about 1 ms at a thousand (`npm run bench:scale`).
 *
 * `keycard_user_search_words(email, name)` is the set of the address's and the lowercased name's
 * suffixes that start a word: at the start, at a separator or right after one (the separators of
 * `WORD_SEPARATORS`). A prefix query on its GIN index reads only the words that start with the
 * text. The function calls only `pg_catalog` functions, so the index stays valid under any
 * `search_path` (maintenance commands run with a restricted one).
 */
export class UserSearchWords1764300009000 implements MigrationInterface {
  name = 'UserSearchWords1764300009000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE FUNCTION "keycard_user_search_words"("email" text, "name" text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
  SELECT array_to_tsvector(coalesce(array_agg(DISTINCT substr(f.value, p)), '{}'))
  FROM (VALUES ("email"), (lower("name"))) AS f(value),
       generate_series(1, length(f.value)) AS p
  WHERE p = 1
     OR strpos(' @._+-'',/()&', substr(f.value, p, 1)) > 0
     OR strpos(' @._+-'',/()&', substr(f.value, p - 1, 1)) > 0
$fn$`);
    await queryRunner.query(
      `CREATE INDEX "idx_users_search_words" ON "users" USING gin (keycard_user_search_words("email", "name"))`,
    );
    // PostgreSQL estimates a word start that no common word begins with at 2 % of the users when
    // it keeps statistics for fewer than 100 common words, as in a directory of unlike addresses,
    // and at a million users that looked worth two parallel workers: starting them took 20–140 ms
    // for a search that reads 11 rows in 0.6 ms. The service's reads of `users` are short, so
    // none of them runs in parallel.
    await queryRunner.query(`ALTER TABLE "users" SET (parallel_workers = 0)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" RESET (parallel_workers)`);
    await queryRunner.query(`DROP INDEX "idx_users_search_words"`);
    await queryRunner.query(`DROP FUNCTION "keycard_user_search_words"(text, text)`);
  }
}
