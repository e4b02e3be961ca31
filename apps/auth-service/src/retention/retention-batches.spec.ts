import { RETENTION_RULES } from './retention-rules';
import { batchQuery } from './retention.service';

const rule = (table: string) => {
  const found = RETENTION_RULES.find((each) => each.table === table && each.walk !== undefined);
  if (!found) throw new Error(`no walked rule for ${table}`);
  return found;
};

describe('batchQuery (how a retention batch finds its rows)', () => {
  it('walks families by key windows: no condition in the SELECT, so a statement reads one batch', () => {
    const families = rule('refresh_families');
    expect(batchQuery(families, false, 1000)).toBe(
      'SELECT "id" AS "key", "id" AS "walked" FROM "refresh_families" ORDER BY "id" LIMIT 1000',
    );
    expect(batchQuery(families, true, 1000)).toBe(
      'SELECT "id" AS "key", "id" AS "walked" FROM "refresh_families" WHERE "id" > :after ORDER BY "id" LIMIT 1000',
    );
  });

  it('takes expired tokens in expires_at order from the last batch’s expiry, included', () => {
    const expired = rule('refresh_tokens');
    expect(batchQuery(expired, true, 500)).toBe(
      'SELECT "id" AS "key", "expires_at" AS "walked" FROM "refresh_tokens" WHERE ("expires_at" < :settled) AND "expires_at" >= :after ORDER BY "expires_at" LIMIT 500',
    );
  });

  it('takes the first matches of an indexed rule', () => {
    const sessions = RETENTION_RULES.find((each) => each.table === 'sessions');
    expect(sessions && batchQuery(sessions, false, 10)).toBe(
      'SELECT "id" AS "key", "id" AS "walked" FROM "sessions" WHERE ("idle_expires_at" <= :now) LIMIT 10',
    );
  });
});
