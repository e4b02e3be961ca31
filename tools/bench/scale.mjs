#!/usr/bin/env node
// `npm run bench:scale`: "flat at a million users" (issue 21, goal 5). On two fresh PostgreSQL
// databases of one server it starts the built auth-service once per database (dist/, pinned like
// `npm run bench`: the services on the last CPU, autocannon through tools/bench/load.mjs on CPU 0;
// BENCH_PIN=0: no pinning) and measures the hot requests (login, refresh, API-key introspection,
// `/admin/users` paging and search, `/admin/audit` filters):
//   1. on the empty database, which holds only the rows the measured answers return once seeded
//      (the users of the measured `/admin/users` pages and 60 audit events of the audited actor,
//      see `writeAnswers`), so both databases answer alike and a ratio shows what size costs,
//      and on the seeded one, in pairs: the seeded database holds the same rows and, seeded in SQL
//      (one `INSERT … SELECT … FROM generate_series` per table, the table's secondary indexes
//      dropped before and re-created after, then `VACUUM (ANALYZE)`), users, API keys, audit
//      events (spread over the last 85 days, inside the default `AUDIT_RETENTION`), refresh
//      families and refresh tokens (five to a family: four rotated, one head — live families, or
//      families that expired past the retention job's settle time). Each round gives every
//      scenario a slice on each database, one right after the other, so the two readings of a
//      pair share the machine's state (measured one phase after the other, minutes apart, the
//      empty database's p99 moved by a third between two runs of session 16);
//   2. while the retention job deletes those expired tokens and their emptied families: the
//      seeded database's service alone, restarted; the job's first run comes a minute later, in
//      the measured process.
// Goal: seeded p99 within 1.3× of empty (the median of the rounds' paired ratios), during
// retention within 1.5× (its median p99 over the empty database's). Also prints `EXPLAIN
// (ANALYZE, BUFFERS)` of each hot query (SQL as the services build it) and flags any sequential
// scan of a big table, and the WAL each scenario's requests made (bytes per request: a row
// inserted on an index page untouched since the last checkpoint costs that whole page, 8 KB).
// Prints a table on stdout (progress on stderr), writes artifacts/bench-scale.json and drops the
// databases at the end.
// Settings: SCALE_USERS (default 1000000), SCALE_REFRESH_TOKENS (5000000), SCALE_API_KEYS
// (1000000), SCALE_AUDIT (5000000), SCALE_EXPIRED (1000000: refresh tokens seeded expired past the
// settle time, for the retention job), SCALE_ROUNDS (default 5) rounds in which every scenario
// gets a slice of SCALE_SLICE seconds (default 3, after a 1 s warm-up) in turn, medians reported
// (during the retention run, rounds go on until it ends or fails, at most SCALE_RETENTION_MINUTES,
// default 15, after which it is reported unfinished), SCALE_CONNECTIONS (default 8),
// BENCH_DATABASE_URL / TEST_DATABASE_URL (the PostgreSQL server); RETENTION_BATCH_SIZE and
// RETENTION_DUTY_CYCLE reach the service when set (its defaults otherwise). Needs dist/
// (`npx nx run auth-service:build`).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hash } from '@node-rs/argon2';
import pg from 'pg';
import { createDatabase, findPostgres } from './postgres.mjs';
import {
  basicAuth,
  benchClient,
  createApiKey,
  failureDetail,
  freePort,
  login,
  nodeCommand,
  pinning,
  randomSecret,
  registerUser,
  startService,
} from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = process.env;
const sizes = {
  users: Number(env.SCALE_USERS ?? 1_000_000),
  refreshTokens: Number(env.SCALE_REFRESH_TOKENS ?? 5_000_000),
  apiKeys: Number(env.SCALE_API_KEYS ?? 1_000_000),
  audit: Number(env.SCALE_AUDIT ?? 5_000_000),
};
const expiredTokens = Math.min(Number(env.SCALE_EXPIRED ?? 1_000_000), sizes.refreshTokens);
const slice = Number(env.SCALE_SLICE ?? 3);
const rounds = Number(env.SCALE_ROUNDS ?? 5);
const connections = Number(env.SCALE_CONNECTIONS ?? 8);
const WARMUP_SECONDS = 1;
const SEEDED_GOAL = 1.3;
const RETENTION_GOAL = 1.5;
/** Tables this big or bigger must not be read by a sequential scan in a hot query. */
const BIG_TABLE_ROWS = 100_000;
const BIG_TABLES = ['users', 'refresh_tokens', 'refresh_families', 'api_keys', 'audit_events'];
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const retentionTimeout = Number(env.SCALE_RETENTION_MINUTES ?? 15) * MINUTE;
/** REFRESH_TOKEN_TTL's default, which the seeded tokens follow. */
const REFRESH_TTL = 7 * DAY;
const TOKENS_PER_FAMILY = 5;
/** Audit events of the seed: many types, both outcomes. */
const AUDIT_TYPES = [
  'auth.login.success',
  'auth.login.failure',
  'auth.logout',
  'auth.logout_all',
  'auth.refresh.reuse_detected',
  'session.login.success',
  'session.login.failure',
  'session.revoked',
  'api_key.created',
  'api_key.rotated',
  'api_key.revoked',
  'user.registered',
  'user.roles_changed',
  'user.disabled',
  'account.password_changed',
  'account.email_verified',
  'mfa.factor_added',
  'oidc.consent.granted',
  'oidc.code.issued',
  'oidc.code.redeemed',
];
/** A seeded user's id, email and name, as SQL on the integer expression `n` (1-based). */
const userId = (n) => `md5('user' || (${n}))::uuid::text`;
const pin = pinning();
const note = (message) => process.stderr.write(`# ${message}\n`);
const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs tools/bench/load.mjs once (on CPU 0 when pinning) and returns autocannon's result. */
function load(options) {
  const [command, args] = nodeCommand(
    [join(root, 'tools', 'bench', 'load.mjs'), JSON.stringify(options)],
    pin.loadCpu,
  );
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (result.status !== 0) throw new Error(`load generator failed: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

/** The auth-service's settings: the same every start, so a restart finds its keys and clients. */
function authSettings(databaseUrl, dataDir, client, admin) {
  return {
    AUTH_HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    KEYS_ENCRYPTION_SECRET: randomSecret(48),
    COOKIE_SECURE: 'false',
    REFRESH_REUSE_INTERVAL: '0',
    BOOTSTRAP_CLIENTS: `${client.id}:${client.secret}:usage:report`,
    BOOTSTRAP_ADMIN_EMAIL: admin.email,
    BOOTSTRAP_ADMIN_PASSWORD: admin.password,
    // The job runs a minute after each start and then not again during the bench.
    RETENTION_INTERVAL: '24h',
    // The job's own settings, when the bench is given them (the service's defaults otherwise).
    ...Object.fromEntries(
      ['RETENTION_BATCH_SIZE', 'RETENTION_DUTY_CYCLE']
        .filter((name) => env[name] !== undefined)
        .map((name) => [name, env[name]]),
    ),
    // Eight connections log the same user in at once (only failures count, but each attempt
    // holds a reservation until its hash is checked).
    LOGIN_MAX_FAILURES: '1000',
  };
}

async function startAuth(settings, label) {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startService({
    root,
    app: 'auth-service',
    label,
    env: { ...settings, AUTH_PORT: String(port), AUTH_ISSUER: url },
    url,
    cpu: pin.serverCpu,
  });
}

/**
 * How the service's retention run ended, from its log, or undefined while it runs: `done` with the
 * rows deleted per table and its time, or `failed` with the error and the time of the failure.
 */
function retentionEnd(service) {
  const log = readFileSync(service.logPath, 'utf8');
  const done = /Retention run deleted ([^"\n]*?) in (\d+) ms/.exec(log);
  if (done) {
    const deleted = Object.fromEntries(
      done[1].split(' ').map((pair) => {
        const [table, count] = pair.split('=');
        return [table, Number(count)];
      }),
    );
    const total = Object.values(deleted).reduce((sum, count) => sum + count, 0);
    return { outcome: 'done', deleted, total, ms: Number(done[2]) };
  }
  const failed = /"time":(\d+)[^\n]*"msg":"Retention run failed: ([^"]*)"/.exec(log);
  return failed ? { outcome: 'failed', error: failed[2], at: Number(failed[1]) } : undefined;
}

async function waitFor(what, check, timeoutMs, pollMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(pollMs);
  }
}

/** Rows deleted so far by the running service's retention job, by table and in all (`/metrics`). */
async function retentionDeletedSoFar(service) {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const deleted = {};
  for (const [, table, count] of text.matchAll(
    /^keycard_retention_rows_deleted_total\{table="(\w+)"[^}]*\} (\S+)$/gm,
  ))
    deleted[table] = Number(count);
  const total = Object.values(deleted).reduce((sum, count) => sum + count, 0);
  return { deleted, total };
}

/**
 * The measured requests, the same on every database: `/admin/users` after a cursor half a year
 * back (`createdAt:id`, any such pair is a valid cursor), the first page (which counts the
 * matches), a search and an email prefix; `/admin/audit` by actor and by type over a day.
 */
function scenarios(fixtures, adminToken) {
  const admin = { authorization: `Bearer ${adminToken}` };
  const json = { 'content-type': 'application/json' };
  const halfYearAgo = fixtures.now - 182 * DAY;
  const cursor = Buffer.from(`${halfYearAgo}:00000000-0000-0000-0000-000000000000`).toString(
    'base64url',
  );
  const from = new Date(fixtures.now - DAY).toISOString();
  const to = new Date(fixtures.now).toISOString();
  return [
    {
      name: 'POST /auth/login',
      method: 'POST',
      path: '/auth/login',
      headers: json,
      body: fixtures.user,
    },
    { name: 'POST /auth/refresh', refresh: true },
    {
      name: 'POST /oauth/introspect (API key)',
      method: 'POST',
      path: '/oauth/introspect',
      headers: {
        authorization: basicAuth(fixtures.client),
        'content-type': 'application/x-www-form-urlencoded',
      },
      rawBody: `token=${fixtures.apiKey}`,
    },
    { name: 'GET /admin/users?cursor=…', path: `/admin/users?cursor=${cursor}`, headers: admin },
    { name: 'GET /admin/users (page 1, total)', path: '/admin/users', headers: admin },
    { name: 'GET /admin/users?q=user12345', path: '/admin/users?q=user12345', headers: admin },
    {
      name: 'GET /admin/users?email=user12345',
      path: '/admin/users?email=user12345',
      headers: admin,
    },
    {
      name: 'GET /admin/audit?actorId=…',
      path: `/admin/audit?actorId=${fixtures.auditActor}`,
      headers: admin,
    },
    {
      name: 'GET /admin/audit?type=…&from=…&to=…',
      path: `/admin/audit?type=auth.login.failure&from=${from}&to=${to}`,
      headers: admin,
    },
  ];
}

/** Refresh tokens for the refresh scenario: a chain per connection plus spares (see load.mjs). */
async function refreshPool(service, user) {
  const tokens = [];
  for (let i = 0; i < connections * 3; i++)
    tokens.push((await login(service.url, user)).refreshToken);
  return tokens;
}

/**
 * Where PostgreSQL's write-ahead log ends now (`pg_current_wal_insert_lsn`, in bytes): exact and
 * server-wide at once, unlike `pg_stat_wal`, whose counts each backend reports up to 10 s late.
 */
async function walPosition(client) {
  const { rows } = await client.query(
    `SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0')::float8 AS bytes`,
  );
  return rows[0].bytes;
}

/**
 * One slice of a scenario: autocannon's p99 (ms), req/s and failures, and the WAL the server wrote
 * per request sent (warm-up included). Slices run one at a time, so that WAL is the scenario's,
 * plus whatever runs beside it (autovacuum, checkpoints; during retention, the job's deletes).
 */
async function measure({ service, fixtures, client }, scenario) {
  const { refresh, ...request } = scenario; // load.mjs ignores `name`
  const refreshTokens = refresh ? await refreshPool(service, fixtures.user) : undefined;
  const walBefore = await walPosition(client);
  const result = load({
    url: service.url,
    connections,
    duration: slice,
    warmup: WARMUP_SECONDS,
    ...request,
    ...(refreshTokens ? { refreshTokens } : {}),
  });
  const walBytes = (await walPosition(client)) - walBefore;
  const sent = result.requests.total + result.warmupRequests;
  return {
    walBytesPerRequest: sent > 0 ? walBytes / sent : 0,
    // Without a single 2xx answer autocannon's p99 is 0: count the whole slice instead.
    p99Ms: result['2xx'] > 0 ? result.latency.p99 : slice * 1000,
    requestsPerSecond: result.requests.average,
    errors: result.non2xx + result.errors + result.timeouts,
    errorDetail: failureDetail(result),
  };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** A scenario's result from its slices: median p99 and req/s, every slice's failures. */
function summarize(slices) {
  if (slices.length === 0) return undefined;
  return {
    p99Ms: median(slices.map((s) => s.p99Ms)),
    requestsPerSecond: Math.round(median(slices.map((s) => s.requestsPerSecond))),
    slices: slices.length,
    p99sMs: slices.map((s) => s.p99Ms),
    walBytesPerRequest: median(slices.map((s) => s.walBytesPerRequest)),
    errors: slices.reduce((sum, s) => sum + s.errors, 0),
    errorDetail: slices
      .map((s) => s.errorDetail)
      .filter(Boolean)
      .join('; '),
  };
}

/**
 * Up to `count` rounds, each giving every scenario one slice in turn (the machine's drift spreads
 * over all of them), while `going()` holds: a slice that ends after it stops holding is dropped.
 * Returns scenario name → its summary (undefined without a slice).
 */
async function measurePhase(site, label, count, going = () => true) {
  note(`measuring ${label}: ${slice} s slices, ${connections} connections…`);
  const slices = {};
  for (let round = 0; round < count && going(); round++) {
    note(`  round ${round + 1}`);
    const { accessToken } = await login(site.service.url, site.fixtures.admin);
    for (const scenario of scenarios(site.fixtures, accessToken)) {
      const measured = await measure(site, scenario);
      if (!going()) break;
      (slices[scenario.name] ??= []).push(measured);
    }
  }
  return summaries(site.fixtures, slices);
}

/** Scenario name → the summary of its slices in `slicesByName` (undefined without a slice). */
function summaries(fixtures, slicesByName) {
  const names = scenarios(fixtures, '').map((s) => s.name);
  return Object.fromEntries(names.map((name) => [name, summarize(slicesByName[name] ?? [])]));
}

/**
 * The empty and the seeded database measured side by side: in each of `rounds` rounds every
 * scenario gets a slice on each database, one right after the other (which goes first alternates
 * from round to round), so both readings of a pair see the same state of the machine. Returns
 * each database's summaries and, per scenario, the rounds' paired ratios (seeded p99 ÷ empty p99
 * of the same round).
 */
async function measurePaired(empty, seeded) {
  note(
    `measuring the empty and the seeded database in pairs: ${rounds} rounds of ${slice} s slices…`,
  );
  const sites = { empty, seeded };
  const slices = { empty: {}, seeded: {} };
  const pairs = {};
  for (let round = 0; round < rounds; round++) {
    note(`  round ${round + 1}`);
    const lists = {};
    for (const [key, site] of Object.entries(sites)) {
      const { accessToken } = await login(site.service.url, site.fixtures.admin);
      lists[key] = scenarios(site.fixtures, accessToken);
    }
    const order = round % 2 === 0 ? ['empty', 'seeded'] : ['seeded', 'empty'];
    for (const [i, { name }] of lists.empty.entries()) {
      const pair = {};
      for (const key of order) {
        pair[key] = await measure(sites[key], lists[key][i]);
        (slices[key][name] ??= []).push(pair[key]);
      }
      (pairs[name] ??= []).push(pair.seeded.p99Ms / (pair.empty.p99Ms || 1));
    }
  }
  return {
    empty: summaries(empty.fixtures, slices.empty),
    seeded: summaries(seeded.fixtures, slices.seeded),
    pairs,
  };
}

/**
 * Fills `table` with `insert` (SQL): its secondary indexes and primary key are dropped first and
 * re-created after (faster than growing them row by row), exactly as pg_indexes and
 * pg_constraint had them. Returns the seconds taken.
 */
async function fillTable(client, table, insert, parameters) {
  const started = performance.now();
  const { rows: constraints } = await client.query(
    `SELECT conname, pg_get_constraintdef(oid) AS def FROM pg_constraint
      WHERE conrelid = $1::regclass AND contype = 'p'`,
    [table],
  );
  const { rows: indexes } = await client.query(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE schemaname = current_schema() AND tablename = $1
        AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)`,
    [table],
  );
  for (const { indexname } of indexes) await client.query(`DROP INDEX "${indexname}"`);
  for (const { conname } of constraints)
    await client.query(`ALTER TABLE "${table}" DROP CONSTRAINT "${conname}"`);
  await client.query(insert, parameters);
  for (const { conname, def } of constraints)
    await client.query(`ALTER TABLE "${table}" ADD CONSTRAINT "${conname}" ${def}`);
  for (const { indexdef } of indexes) await client.query(indexdef);
  await client.query(`VACUUM (ANALYZE) "${table}"`);
  return (performance.now() - started) / 1000;
}

/** A deterministic spread in [0, range) ms of the SQL text `key`. */
const spread = (key, rangeMs) =>
  `(abs(hashtext(${key})::bigint) % ${Math.floor(rangeMs / 1000)}) * 1000`;

/**
 * A refresh family's first token's creation time (SQL on the family number `f`): families below
 * `expiredFamilies` within the last year but ten days ago or more (every token expired and
 * settled), the others within the last six days, so all their tokens are still unexpired.
 */
function familyStart(now, expiredFamilies) {
  const key = `'family' || f`;
  return `CASE WHEN f < ${expiredFamilies}
    THEN ${now}::bigint - ${10 * DAY} - ${spread(key, 355 * DAY)}
    ELSE ${now}::bigint - ${TOKENS_PER_FAMILY * HOUR} - ${spread(key, 6 * DAY)} END`;
}

/**
 * The seed's users statement over the user numbers `n` of `source` (`… n`), `where` narrowing
 * them: `$1` is now (epoch ms), `$2` the password hash; user `n` of `SCALE_USERS` is created a year
 * back in even steps.
 */
function usersInsert(source, where = '') {
  const { users } = sizes;
  return `INSERT INTO users (id, email, name, password_hash, roles, disabled, email_verified,
         mfa_methods, created_at, updated_at)
       SELECT ${userId('n')}, 'user' || n || '@scale.example', 'Scale User ' || n, $2,
         '["user"]', n % 100 = 0, n % 3 = 0, '', c, c
       FROM ${source},
         LATERAL (SELECT $1::bigint - (${users}::bigint - n) * ${365 * DAY} / ${users} AS c) t
       ${where}`;
}

/**
 * The seed, table by table: `[table, SQL]`; `$1` is now (epoch ms). Its ids are random
 * (`md5(…)::uuid`) where the service now writes time-ordered ids for refresh tokens, logins and
 * audit events: the rows it inserts while measured share the current time's prefix (`019b…` in
 * 2026), so they still land together on the few index pages of that key range, as they would at
 * the end of an index written only with time-ordered ids.
 */
function seedStatements(now, passwordHash) {
  const { users, refreshTokens, apiKeys, audit } = sizes;
  const families = Math.ceil(refreshTokens / TOKENS_PER_FAMILY);
  const expiredFamilies = Math.floor(expiredTokens / TOKENS_PER_FAMILY);
  const year = 365 * DAY;
  const types = `ARRAY[${AUDIT_TYPES.map((type) => `'${type}'`).join(', ')}]`;
  return [
    [
      'users',
      usersInsert(
        `generate_series(1, ${users}) n`,
        // Those of `writeAnswers` are there already.
        'WHERE NOT (n = ANY($3::int[]))',
      ),
      [now, passwordHash, answerUsers()],
    ],
    [
      'api_keys',
      `INSERT INTO api_keys (id, user_id, name, type, environment, prefix, key_hash, scopes,
         rate_limit, created_at, expires_at, revoked_at, last_used_at, replaced_by)
       SELECT md5('key' || n)::uuid::text, ${userId(`1 + n % ${users}`)}, 'scale key ' || n,
         'sk', 'live', 'sk_live_' || substr(md5('prefix' || n), 1, 4),
         encode(sha256(convert_to('scale-key-' || n, 'UTF8')), 'hex'), '[]', NULL, c,
         NULL, CASE WHEN n % 10 = 0 THEN c + ${DAY} END, NULL, NULL
       FROM generate_series(1, ${apiKeys}) n,
         LATERAL (SELECT $1::bigint - ${spread(`'key' || n`, year)} AS c) t`,
      [now],
    ],
    [
      'audit_events',
      `INSERT INTO audit_events (id, at, type, outcome, actor_id, actor_type, subject_id, ip,
         user_agent, details)
       SELECT md5('audit' || n)::uuid::text, $1::bigint - ${spread(`'audit' || n`, 85 * DAY)},
         t, CASE WHEN t LIKE '%failure' THEN 'failure' ELSE 'success' END,
         ${userId(`1 + n::bigint * 7919 % ${users}`)}, 'user', ${userId(`1 + n::bigint * 7919 % ${users}`)},
         '10.' || n % 256 || '.' || n / 256 % 256 || '.' || n / 65536 % 256, 'scale-bench', NULL
       FROM generate_series(1, ${audit}) n,
         LATERAL (SELECT (${types})[1 + n % ${AUDIT_TYPES.length}] AS t) t`,
      [now],
    ],
    [
      'refresh_families',
      `INSERT INTO refresh_families (id, user_id, client_id, scope, created_at, revoked_at,
         revoke_reason, amr, auth_time)
       SELECT md5('family' || f)::uuid::text, ${userId(`1 + f % ${users}`)}, NULL, '', s, NULL,
         NULL, 'pwd', s
       FROM generate_series(0, ${families - 1}) f,
         LATERAL (SELECT ${familyStart('$1', expiredFamilies)} AS s) t`,
      [now],
    ],
    [
      'refresh_tokens',
      `INSERT INTO refresh_tokens (id, family_id, token_digest, parent_id, created_at, expires_at,
         rotated_at, successor_id, successor_sealed)
       SELECT md5('token' || i)::uuid::text, md5('family' || f)::uuid::text,
         encode(sha256(convert_to('scale-token-' || i, 'UTF8')), 'hex'),
         CASE WHEN k > 0 THEN md5('token' || i - 1)::uuid::text END,
         s + k * ${HOUR}, s + k * ${HOUR} + ${REFRESH_TTL},
         CASE WHEN k < ${TOKENS_PER_FAMILY - 1} THEN s + (k + 1) * ${HOUR} END,
         CASE WHEN k < ${TOKENS_PER_FAMILY - 1} THEN md5('token' || i + 1)::uuid::text END, NULL
       FROM generate_series(0, ${refreshTokens - 1}) i,
         LATERAL (SELECT i / ${TOKENS_PER_FAMILY} AS f, i % ${TOKENS_PER_FAMILY} AS k) fk,
         LATERAL (SELECT ${familyStart('$1', expiredFamilies)} AS s) t`,
      [now],
    ],
  ];
}

/**
 * The seeded users (numbers `n` of the users statement) that the measured `/admin/users` requests
 * answer: the first page, the page after the cursor half a year back (its first user is the
 * first created after that time) and the 11 matches of `user12345`, with a few to spare.
 */
function answerUsers() {
  const { users } = sizes;
  const afterCursor = Math.floor(users - (182 * DAY * users) / (365 * DAY)) + 1;
  const range = (from, count) => Array.from({ length: count }, (_v, i) => from + i);
  const numbers = [...range(1, 22), ...range(afterCursor - 1, 23), 12345, ...range(123450, 10)];
  return [...new Set(numbers.filter((n) => n >= 1 && n <= users))];
}

/**
 * Writes, before the empty database is measured, the rows its answers return once seeded: the
 * users of `answerUsers` (the seed's own rows; the seed then writes every other user) and 60
 * login failures of the last day by the audit actor (a full page of `/admin/audit` for both of
 * its scenarios). Both phases then answer the same pages, so a ratio shows what the tables' size
 * costs, not what a longer answer costs.
 */
async function writeAnswers(client, fixtures) {
  await client.query(usersInsert('unnest($3::int[]) n'), [
    fixtures.now,
    await sharedPasswordHash(),
    answerUsers(),
  ]);
  await client.query(
    `INSERT INTO audit_events (id, at, type, outcome, actor_id, actor_type, subject_id, ip,
       user_agent, details)
     SELECT md5('answer-audit' || k)::uuid::text, $1::bigint - k * ${MINUTE}, 'auth.login.failure',
       'failure', $2, 'user', $2, '10.0.0.1', 'scale-bench', NULL
     FROM generate_series(1, 60) k`,
    [fixtures.now, fixtures.auditActor],
  );
}

/** The argon2id hash every seeded user shares (the service's policy: 19 MiB, 2 passes, 1 lane). */
function sharedPasswordHash() {
  return hash(randomSecret(20), {
    algorithm: 2,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
    outputLen: 32,
  });
}

async function seed(client, now) {
  // Commits stay synchronous: VACUUM cannot set the hint bits of rows whose asynchronous commit is
  // not yet flushed, and without them it marks none of their pages all-visible, so index-only
  // scans of the seeded tables would read the table after all (a run of session 19 found 0 of
  // refresh_families' pages and 64 % of audit_events' all-visible with `synchronous_commit = off`).
  await client.query(`SET maintenance_work_mem = '512MB'`);
  const seconds = {};
  for (const [table, sql, parameters] of seedStatements(now, await sharedPasswordHash())) {
    note(`seeding ${table}…`);
    seconds[table] = await fillTable(client, table, sql, parameters);
    note(`  ${table}: ${seconds[table].toFixed(1)} s`);
  }
  return seconds;
}

async function tableRows(client) {
  const counts = {};
  for (const table of BIG_TABLES)
    counts[table] = Number((await client.query(`SELECT COUNT(*) AS n FROM "${table}"`)).rows[0].n);
  return counts;
}

/**
 * The hot queries, as the services send them (TypeORM's SQL, columns shortened to `*` where the
 * select list does not change the plan) with the bench's own values.
 */
function hotQueries(fixtures, now) {
  const settled = now - HOUR;
  const liveToken = sizes.refreshTokens - 1;
  return [
    [
      'login: user by email',
      `SELECT * FROM users WHERE email = $1 LIMIT 1`,
      ['user4242@scale.example'],
    ],
    [
      'refresh: token by its id and digest',
      `SELECT * FROM refresh_tokens WHERE id = md5($1)::uuid::text
        AND token_digest = encode(sha256(convert_to($2, 'UTF8')), 'hex') LIMIT 1`,
      [`token${liveToken}`, `scale-token-${liveToken}`],
    ],
    [
      'refresh: family by id',
      `SELECT * FROM refresh_families WHERE id = md5($1)::uuid::text LIMIT 1`,
      [`family${Math.floor(liveToken / TOKENS_PER_FAMILY)}`],
    ],
    [
      'introspect: API key by hash',
      `SELECT * FROM api_keys WHERE key_hash = encode(sha256(convert_to($1, 'UTF8')), 'hex') LIMIT 1`,
      ['scale-key-4242'],
    ],
    ['introspect: owner by id', `SELECT * FROM users WHERE id = $1 LIMIT 1`, [fixtures.auditActor]],
    [
      'admin users: page after a cursor',
      `SELECT * FROM users "user" WHERE ("user".created_at, "user".id) > ($1, $2)
        ORDER BY "user".created_at ASC, "user".id ASC LIMIT 21`,
      [now - 182 * DAY, '00000000-0000-0000-0000-000000000000'],
    ],
    [
      'admin users: first page',
      `SELECT * FROM users "user" ORDER BY "user".created_at ASC, "user".id ASC LIMIT 20`,
      [],
    ],
    [
      'admin users: total (the count the triggers keep)',
      `SELECT "n" FROM "user_count" WHERE "id" = 1`,
      [],
    ],
    [
      'admin users: q search (a word start)',
      `SELECT * FROM users "user"
        WHERE keycard_user_search_words("user".email, "user".name) @@ CAST($1 AS tsquery)
        ORDER BY "user".created_at + 0 ASC, "user".id ASC LIMIT 20`,
      ["'user12345':*"],
    ],
    [
      'admin users: q count (a word start)',
      `SELECT COUNT(*) FROM users "user"
        WHERE keycard_user_search_words("user".email, "user".name) @@ CAST($1 AS tsquery)`,
      ["'user12345':*"],
    ],
    [
      'admin users: q=* search (anywhere)',
      `SELECT * FROM users "user" WHERE ("user".email LIKE $1 ESCAPE '\\' OR LOWER("user".name) LIKE $1 ESCAPE '\\')
        ORDER BY "user".created_at ASC, "user".id ASC LIMIT 20`,
      ['%user12345%'],
    ],
    [
      'admin users: email prefix',
      `SELECT * FROM users "user" WHERE "user".email LIKE $1 ESCAPE '\\'
        ORDER BY "user".created_at ASC, "user".id ASC LIMIT 20`,
      ['user12345%'],
    ],
    [
      'admin audit: by actor',
      `SELECT * FROM audit_events e WHERE e.actor_id = $1 ORDER BY e.at DESC, e.id DESC LIMIT 50`,
      [fixtures.auditActor],
    ],
    [
      // As audit-query.service.ts counts: up to 1,000 matches (AUDIT_COUNT_LIMIT), plus one.
      'admin audit: by actor, count',
      `SELECT COUNT(*) FROM (SELECT 1 FROM audit_events e WHERE e.actor_id = $1 LIMIT 1001) matches`,
      [fixtures.auditActor],
    ],
    [
      'admin audit: type over a day',
      `SELECT * FROM audit_events e WHERE e.type = $1 AND e.at >= $2 AND e.at <= $3
        ORDER BY e.at DESC, e.id DESC LIMIT 50`,
      ['auth.login.failure', now - DAY, now],
    ],
    [
      'admin audit: type over a day, count',
      `SELECT COUNT(*) FROM (SELECT 1 FROM audit_events e WHERE e.type = $1 AND e.at >= $2
        AND e.at <= $3 LIMIT 1001) matches`,
      ['auth.login.failure', now - DAY, now],
    ],
    [
      'retention 1: tokens of revoked families',
      `SELECT "id" AS "key" FROM "refresh_tokens" WHERE ("family_id" IN (SELECT "f"."id" FROM "refresh_families" "f" WHERE "f"."revoked_at" < $1)) LIMIT 1000`,
      [settled],
    ],
    [
      // As retention.service.ts's batchQuery builds them: expired tokens in expires_at order…
      'retention 2: expired tokens',
      `SELECT "id" AS "key", "expires_at" AS "walked" FROM "refresh_tokens" WHERE ("expires_at" < $1) ORDER BY "expires_at" LIMIT 1000`,
      [settled],
    ],
    [
      // …and families one window of keys at a time, the rule checked on that window only.
      'retention 3: emptied families, one window',
      `SELECT "id" FROM "refresh_families" WHERE "id" IN (SELECT "id" FROM "refresh_families" ORDER BY "id" LIMIT 1000) AND ("created_at" < $1 AND NOT EXISTS (SELECT 1 FROM "refresh_tokens" "t" WHERE "t"."family_id" = "refresh_families"."id"))`,
      [settled],
    ],
    [
      'retention 6: old audit events',
      `SELECT "id" AS "key" FROM "audit_events" WHERE ("at" < $1) LIMIT 1000`,
      [now - 90 * DAY],
    ],
  ];
}

/** Every node of a JSON plan, depth first. */
function* planNodes(node) {
  yield node;
  for (const child of node.Plans ?? []) yield* planNodes(child);
}

async function explainAll(client, fixtures, now, rows, only = () => true) {
  note('EXPLAIN (ANALYZE, BUFFERS) of the hot queries…');
  const big = new Set(BIG_TABLES.filter((table) => (rows[table] ?? 0) >= BIG_TABLE_ROWS));
  const plans = [];
  for (const [name, sql, parameters] of hotQueries(fixtures, now).filter(([n]) => only(n))) {
    const { rows: result } = await client.query(
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
      parameters,
    );
    const [{ Plan: plan, 'Execution Time': ms }] = result[0]['QUERY PLAN'];
    const nodes = [...planNodes(plan)];
    const seqScans = nodes
      .filter((n) => n['Node Type'] === 'Seq Scan' && big.has(n['Relation Name']))
      .map((n) => n['Relation Name']);
    plans.push({
      name,
      ms,
      nodes: nodes
        .filter((n) => n['Relation Name'] || n['Index Name'])
        .map((n) => `${n['Node Type']} ${n['Index Name'] ?? n['Relation Name']}`),
      sharedBuffers: (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0),
      // An index-only scan reads the table too for rows on pages not yet marked all-visible.
      heapFetches: nodes.reduce((sum, n) => sum + (n['Heap Fetches'] ?? 0), 0),
      seqScans,
    });
  }
  return plans;
}

/**
 * Empty, seeded and retention rows side by side, with the ratios and their goals: seeded ÷ empty is
 * the median of the paired rounds' ratios (`pairs`), during retention ÷ empty the retention
 * slices' median p99 over the empty database's.
 */
function tableRowsOf(empty, seeded, during, pairs) {
  const verdict = (ratio, goal) =>
    ratio === undefined ? '-' : `${ratio.toFixed(2)} ${ratio <= goal ? 'PASS' : 'FAIL'}`;
  const cell = (m) =>
    m ? `${m.p99Ms} / ${m.requestsPerSecond}${m.slices === rounds ? '' : ` (${m.slices})`}` : '-';
  return Object.keys(empty).map((scenario) => {
    const base = empty[scenario].p99Ms || 1;
    const seededRatio = median(pairs[scenario]);
    const duringRatio = during[scenario] && during[scenario].p99Ms / base;
    return {
      scenario,
      empty: empty[scenario],
      seeded: seeded[scenario],
      during: during[scenario],
      seededRatio,
      pairedRatios: pairs[scenario],
      seededPass: seededRatio <= SEEDED_GOAL,
      duringRatio,
      duringPass: duringRatio === undefined ? undefined : duringRatio <= RETENTION_GOAL,
      cells: [
        scenario,
        cell(empty[scenario]),
        cell(seeded[scenario]),
        verdict(seededRatio, SEEDED_GOAL),
        cell(during[scenario]),
        verdict(duringRatio, RETENTION_GOAL),
      ],
    };
  });
}

/** The WAL a request made in each phase (medians of its slices). */
function walLines(rows) {
  const kilobytes = (m) => (m ? (m.walBytesPerRequest / 1024).toFixed(1) : '-');
  return [
    "  WAL per request sent, KB (the server's whole WAL over each slice, so during retention it " +
      "includes the job's deletes; a full-page image is 8 KB) — empty / seeded / retention:",
    ...rows.map(
      (r) =>
        `    ${r.scenario}: ${kilobytes(r.empty)} / ${kilobytes(r.seeded)} / ${kilobytes(r.during)}`,
    ),
  ];
}

function printReport(rows, report) {
  const header = [
    'scenario',
    'empty p99 ms / req/s',
    'seeded',
    `seeded÷empty p99, paired (≤${SEEDED_GOAL})`,
    'during retention',
    `retention÷empty (≤${RETENTION_GOAL})`,
  ];
  const cells = rows.map((r) => r.cells);
  const widths = header.map((title, i) => Math.max(title.length, ...cells.map((c) => c[i].length)));
  const line = (cell) =>
    cell.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  ');
  const out = [line(header), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)];
  for (const r of rows)
    for (const [phase, m] of [
      ['empty', r.empty],
      ['seeded', r.seeded],
      ['retention', r.during],
    ])
      if (m?.errors) out.push(`  ${r.scenario} (${phase}): ${m.errors} errors: ${m.errorDetail}`);
  out.push(
    "  seeded ÷ empty p99 in each round (the median is the table's ratio):",
    ...rows.map(
      (r) => `    ${r.scenario}: ${r.pairedRatios.map((ratio) => ratio.toFixed(2)).join(', ')}`,
    ),
    ...walLines(rows),
  );
  const seed = Object.entries(report.seedSeconds)
    .map(([table, s]) => `${table} ${report.rows[table]} rows in ${s.toFixed(1)} s`)
    .join(', ');
  out.push(`  seed: ${seed}`);
  const run = report.retention;
  const deleted = Object.entries(run.deleted)
    .filter(([, n]) => n > 0)
    .map(([table, n]) => `${table} ${n}`)
    .join(', ');
  const outcome =
    run.outcome === 'done'
      ? ''
      : ` ${run.outcome.toUpperCase()}${run.error ? ` (${run.error})` : ''}`;
  out.push(
    `  retention run${outcome}: ${run.total} rows deleted (${deleted}) in ` +
      `${(run.ms / 1000).toFixed(1)} s (RETENTION_BATCH_SIZE ` +
      `${env.RETENTION_BATCH_SIZE ?? '1000, the default'}; RETENTION_DUTY_CYCLE ` +
      `${env.RETENTION_DUTY_CYCLE ?? '0.25, the default'}); ` +
      'during it, every scenario took a slice in turn until it ended',
    `  p99 ms / req/s: medians of ${rounds} slices of ${slice} s (each after a ${WARMUP_SECONDS} s ` +
      `warm-up; "(n)": n slices), ${connections} connections; the empty and the seeded database ` +
      'in pairs of slices, one service each, measured in turn; ' +
      (pin.pinned
        ? `auth-services on CPU ${pin.serverCpu}, load generator on CPU ${pin.loadCpu} (${pin.reason})`
        : `not pinned (${pin.reason})`),
  );
  for (const [title, plans] of [
    ['EXPLAIN (ANALYZE, BUFFERS) on the seeded database:', report.explain],
    ['The retention selects again, after the retention run:', report.explainAfterRetention],
  ]) {
    out.push('', title);
    for (const plan of plans)
      out.push(
        `  ${plan.seqScans.length ? 'SEQ SCAN' : 'ok      '} ${plan.name}: ` +
          `${plan.nodes.join(' → ') || '(no table)'}; ${plan.ms.toFixed(2)} ms, ` +
          `${plan.sharedBuffers} buffers` +
          (plan.heapFetches ? ` (${plan.heapFetches} heap fetches)` : ''),
      );
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

/** The measuring fixtures: a user with an API key, the admin and service client, a seeded actor. */
async function createFixtures(service, settings, client) {
  const user = await registerUser(service.url);
  const { accessToken } = await login(service.url, user);
  const { key } = await createApiKey(service.url, accessToken, { rateLimit: 100_000 });
  return {
    now: Date.now(),
    user,
    admin: { email: settings.BOOTSTRAP_ADMIN_EMAIL, password: settings.BOOTSTRAP_ADMIN_PASSWORD },
    client,
    apiKey: key,
    auditActor: md5Uuid('user4242'),
  };
}

/** `md5(text)::uuid::text` of PostgreSQL, in JavaScript: the id of a seeded row. */
function md5Uuid(text) {
  const hex = createHash('md5').update(text).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Restarts the service, waits for its retention run to begin (a minute after start) and measures
 * the scenarios in rounds while it deletes (slices that end after the run are dropped).
 */
async function measureDuringRetention({ settings, fixtures, client }) {
  const service = await startAuth(settings, 'auth-service.scale-retention');
  try {
    note('waiting for the retention run (a minute after start)…');
    await waitFor(
      'the retention run to start',
      async () => (await retentionDeletedSoFar(service)).total > 0,
      3 * MINUTE,
    );
    const started = Date.now();
    const deadline = started + retentionTimeout;
    const results = await measurePhase(
      { service, fixtures, client },
      'during the retention run',
      Number.POSITIVE_INFINITY,
      () => !retentionEnd(service) && Date.now() < deadline,
    );
    const end = retentionEnd(service);
    if (end?.outcome === 'done') return { results, run: end };
    if (!end) note(`the retention run has not ended after ${retentionTimeout / MINUTE} min`);
    // Rows deleted until the failure (or until now), and the time since deleting began.
    const run = {
      outcome: end ? 'failed' : 'unfinished',
      error: end?.error,
      ...(await retentionDeletedSoFar(service)),
      ms: (end?.at ?? Date.now()) - started,
    };
    return { results, run };
  } finally {
    await service.stop();
  }
}

/**
 * A database to measure, with its own auth-service (same client and admin on every one) and the
 * rows of `writeAnswers`: `{ database, dataDir, settings, service, fixtures, client }`.
 */
async function openSite(postgres, serviceClient, admin, label) {
  const site = { database: await createDatabase(postgres.url) };
  try {
    site.dataDir = mkdtempSync(join(tmpdir(), 'keycard-bench-scale-'));
    site.settings = authSettings(site.database.url, site.dataDir, serviceClient, admin);
    note(`starting the auth-service on the ${label} database (logs in artifacts/bench-logs/)…`);
    site.service = await startAuth(site.settings, `auth-service.scale-${label}`);
    site.fixtures = await createFixtures(site.service, site.settings, serviceClient);
    site.client = new pg.Client({ connectionString: site.database.url });
    await site.client.connect();
    await writeAnswers(site.client, site.fixtures);
    return site;
  } catch (error) {
    await closeSite(site);
    throw error;
  }
}

async function closeSite(site) {
  await site.service?.stop();
  await site.client?.end().catch(() => undefined);
  await site.database.drop();
  if (site.dataDir) rmSync(site.dataDir, { recursive: true, force: true });
}

async function main() {
  if (!existsSync(join(root, 'dist', 'apps', 'auth-service', 'main.js')))
    throw new Error('no dist/apps/auth-service/main.js: run `npx nx run auth-service:build` first');
  const postgres = await findPostgres();
  if (postgres.skip) throw new Error(postgres.skip);
  const serviceClient = benchClient();
  const admin = { email: 'scale-admin@example.test', password: randomSecret(24) };
  const sites = [];
  try {
    const empty = await openSite(postgres, serviceClient, admin, 'empty');
    sites.push(empty);
    const big = await openSite(postgres, serviceClient, admin, 'seeded');
    sites.push(big);
    note('waiting for the first retention runs (on the empty databases) to pass…');
    for (const { service } of sites)
      await waitFor('the first retention run', () => retentionEnd(service), 3 * MINUTE);

    const seedSeconds = await seed(big.client, big.fixtures.now);
    const rows = await tableRows(big.client);
    const paired = await measurePaired(empty, big);
    const explain = await explainAll(big.client, big.fixtures, Date.now(), rows);
    // The retention run is measured on its own, as before: one service, the seeded database's.
    for (const site of sites) {
      await site.service.stop();
      site.service = undefined;
    }

    const retention = await measureDuringRetention(big);
    const explainAfterRetention = await explainAll(
      big.client,
      big.fixtures,
      Date.now(),
      rows,
      (name) => name.startsWith('retention'),
    );
    const table = tableRowsOf(paired.empty, paired.seeded, retention.results, paired.pairs);
    const report = {
      date: new Date().toISOString(),
      sizes: { ...sizes, expiredTokens },
      rows,
      seedSeconds,
      sliceSeconds: slice,
      rounds,
      warmupSeconds: WARMUP_SECONDS,
      connections,
      pinning: pin,
      goals: { seeded: SEEDED_GOAL, duringRetention: RETENTION_GOAL },
      scenarios: table.map((row) => ({ ...row, cells: undefined })),
      retention: retention.run,
      explain,
      explainAfterRetention,
    };
    printReport(table, report);
    mkdirSync(join(root, 'artifacts'), { recursive: true });
    writeFileSync(
      join(root, 'artifacts', 'bench-scale.json'),
      `${JSON.stringify(report, null, 2)}\n`,
    );
  } finally {
    for (const site of sites) await closeSite(site);
  }
}

main().catch((error) => {
  process.stderr.write(`bench:scale failed: ${error.stack ?? error.message}\n`);
  process.exitCode = 1;
});
