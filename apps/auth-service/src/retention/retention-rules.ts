/** The tables the retention job deletes from (the `table` label of its metric). */
export const RETENTION_TABLES = [
  'refresh_tokens',
  'refresh_families',
  'sessions',
  'google_grants',
  'audit_events',
  'account_tokens',
  'mail_outbox',
  'oidc_codes',
  'oidc_pending_requests',
] as const;
export type RetentionTable = (typeof RETENTION_TABLES)[number];

/**
 * A refresh token or family is deleted only once it has been expired or revoked for this long (or
 * for `REFRESH_REUSE_INTERVAL`, when that is longer): a request that read it just before it ended
 * can still finish, and its answer does not change.
 */
export const SETTLE_MS = 3_600_000;

/** The times the rules compare against (epoch ms), computed once per run. */
export interface RetentionCutoffs {
  /** Now: sessions and Google grants past their end go. */
  now: number;
  /** Refresh tokens expired, and families revoked, before this go. */
  settled: number;
  /** Audit events older than this go. */
  auditBefore: number;
}

/**
 * How the batches of a rule find their rows, so that no statement outlasts `DATABASE_TIMEOUT` on
 * a table of millions of rows (`npm run bench:scale`):
 * - `index` (the default): the first batch of rows matching `where`, which an index answers;
 * - `{ range: column }`: the same, walked in the order of the indexed `column` from where the last
 *   batch stopped. For a condition most rows match (expired tokens): a plain `LIMIT` lets
 *   PostgreSQL scan the table, re-reading the dead rows earlier batches left until VACUUM;
 * - `window`: for a condition no index answers: the next batch of rows in key order, whichever
 *   match, so that each statement reads one batch however few rows match.
 */
export type RetentionWalk = 'index' | 'window' | { range: string };

/** One rule: the rows of `table` matching `where` (SQL on the table's own columns, `:cutoffs`). */
export interface RetentionRule {
  table: RetentionTable;
  /** The primary key column. */
  key: string;
  where: string;
  walk?: RetentionWalk;
}

/**
 * What the job deletes, in this order. The refresh-token rules keep reuse detection whole: a
 * rotated token is refused as expired before any reuse check (`RefreshTokensService.find`), so it
 * matters to detection only until its own expiry; until then it stays, in a live family as in any
 * other. Exactly:
 * 1. every token of a family revoked more than the settle time ago (the family answers 401 anyway);
 * 2. every token expired more than the settle time ago, rotated or not, in any family;
 * 3. every family that has no token left and was created more than the settle time ago — a family
 *    revoked, or whose newest token expired, over the settle time ago (rules 1 and 2 emptied it),
 *    or one left without a first token by a crash;
 * 4. sessions past their idle end (never later than their absolute end) — signed-out ones are
 *    deleted at once by the store;
 * 5. Google sign-in transactions and hand-off codes past their expiry (used ones are deleted when
 *    used);
 * 6. audit events older than `AUDIT_RETENTION`;
 * 7. mailed link tokens past their expiry, or used (or voided) more than the settle time ago;
 * 8. outbox messages sent or given up on more than the settle time ago (their bodies are already
 *    blank; a failure was logged when it happened);
 * 9. authorization codes past their expiry, spent or not: an expired code is refused before any
 *    replay check, so it no longer revokes anything;
 * 10. authorization requests that waited for a sign-in or consent past their expiry (answered ones
 *    are deleted when answered).
 * A deleted family or session reads as "not live" wherever a `sid` is checked.
 */
export const RETENTION_RULES: readonly RetentionRule[] = [
  {
    table: 'refresh_tokens',
    key: 'id',
    where: `"family_id" IN (SELECT "f"."id" FROM "refresh_families" "f" WHERE "f"."revoked_at" < :settled)`,
  },
  {
    table: 'refresh_tokens',
    key: 'id',
    where: `"expires_at" < :settled`,
    walk: { range: 'expires_at' },
  },
  {
    table: 'refresh_families',
    key: 'id',
    where: `"created_at" < :settled AND NOT EXISTS (SELECT 1 FROM "refresh_tokens" "t" WHERE "t"."family_id" = "refresh_families"."id")`,
    walk: 'window',
  },
  { table: 'sessions', key: 'id', where: `"idle_expires_at" <= :now` },
  { table: 'google_grants', key: 'key_hash', where: `"expires_at" <= :now` },
  { table: 'audit_events', key: 'id', where: `"at" < :auditBefore` },
  {
    table: 'account_tokens',
    key: 'id',
    where: `"expires_at" <= :now OR "used_at" < :settled`,
    walk: 'window',
  },
  { table: 'mail_outbox', key: 'id', where: `"settled_at" < :settled`, walk: 'window' },
  { table: 'oidc_codes', key: 'code_hash', where: `"expires_at" <= :now` },
  { table: 'oidc_pending_requests', key: 'handle_hash', where: `"expires_at" <= :now` },
];
