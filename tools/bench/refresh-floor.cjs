// The floor of a refresh, measured in the same run as the auth-service's `POST /auth/refresh`: a
// Nest app on Fastify whose one route does only what a rotation that keeps section 1's guarantees
// must do, on the auth-service's own database and rows, written by hand with no framework around
// it. It checks the token's shape (a token naming its row, as the auth-service issues them),
// hashes it, reads the token by its row's id and hash with its family and user in one statement, refuses an unknown, expired, rotated or revoked token, a client's token or a disabled
// user, then atomically marks the token rotated (only if it is not yet: the race guard), inserts
// the successor with the successor sealed for the presented token (the reuse interval), drops the
// parent's seal, and signs an access token the way the auth-service does (jsonwebtoken, RS256
// 2048, the same claims). No validation pipe, guard, rate limit, logging, metrics, revocation
// floor or error mapping; a refused token is only answered 401 (no reuse handling).
//
// SQLite (FLOOR_SQLITE: the auth-service's database file, opened beside it in WAL mode;
// FLOOR_SYNCHRONOUS: FULL, SQLite's default and the auth-service's, or NORMAL, which skips the
// fsync of each commit and so shows what that fsync costs): the read, then the three writes in one
// transaction. PostgreSQL (FLOOR_DATABASE_URL): the read and the writes in one statement, one
// round trip, as the auth-service does. Port from FLOOR_PORT; `GET /health` answers 200 for the
// bench's readiness check. Plain CommonJS with decorators applied by hand, so it needs no build.
'use strict';
require('reflect-metadata');
const { Body, Controller, Get, HttpCode, HttpException, Module, Post } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const {
  createCipheriv,
  createHash,
  generateKeyPairSync,
  randomBytes,
  randomUUID,
} = require('node:crypto');
const { sign } = require('jsonwebtoken');

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ISSUER = 'http://127.0.0.1';
const ACCESS_TTL_SECONDS = 900;
const REFRESH_TTL_MS = 30 * 24 * 3600 * 1000;
const TOKEN_PATTERN = /^rt_([A-Za-z0-9_-]{22})[A-Za-z0-9_-]{43}$/;

const sha256Hex = (text) => createHash('sha256').update(text).digest('hex');

/** A UUIDv7 of `now`, as the auth-service names its token rows (`timeOrderedUuid`). */
function timeOrderedUuid(now) {
  const time = now.toString(16).padStart(12, '0').slice(-12);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${randomUUID().slice(15)}`;
}

/** A token naming the row `id`: `rt_`, the id's 16 bytes and 32 random bytes, in base64url. */
function tokenFor(id) {
  const named = Buffer.from(id.replaceAll('-', ''), 'hex').toString('base64url');
  return `rt_${named}${randomBytes(32).toString('base64url')}`;
}

/** The row id a well-shaped token names, or undefined. */
function rowOf(presented) {
  const match = typeof presented === 'string' && TOKEN_PATTERN.exec(presented);
  if (!match) return undefined;
  const hex = Buffer.from(match[1], 'base64url').toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function seal(holder, successor) {
  const key = createHash('sha256').update(`keycard:refresh-successor:${holder}`).digest();
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(successor, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
}

/** The read, the token's digest in `$<digestAt>` (its row's id in `$1`). */
const lookup = (digestAt) =>
  'SELECT t.id AS token_id, t.parent_id, t.expires_at, t.rotated_at, f.id AS family_id, ' +
  'f.client_id, f.scope, f.revoked_at, f.amr, f.auth_time, f.created_at AS family_created_at, ' +
  'u.id AS user_id, u.roles, u.disabled FROM refresh_tokens t ' +
  'JOIN refresh_families f ON f.id = t.family_id LEFT JOIN users u ON u.id = f.user_id ' +
  `WHERE t.id = $1 AND t.token_digest = $${digestAt}`;
const MARK =
  'UPDATE refresh_tokens SET rotated_at = $1, successor_id = $2, successor_sealed = $3 ' +
  'WHERE id = $4 AND rotated_at IS NULL';
const SUCCESSOR_COLUMNS = 'id, family_id, token_digest, parent_id, created_at, expires_at';
const DROP_SEAL = 'UPDATE refresh_tokens SET successor_sealed = NULL WHERE id = $1';

/** Whether a read token may be rotated at `now`: live, unrotated, no client's, user enabled. */
function refreshable(row, now) {
  return (
    row !== undefined &&
    row.revoked_at === null &&
    Number(row.expires_at) > now &&
    row.rotated_at === null &&
    row.client_id === null &&
    row.user_id !== null &&
    row.disabled !== true &&
    row.disabled !== 1
  );
}

/**
 * The database part: `refresh(id, digest, rotation)` reads the token and rotates it when `refreshable`,
 * resolving to `{ row, rotated }` (rotated false when the race guard changed nothing).
 */
function sqliteStore(path, synchronous) {
  const Database = require('better-sqlite3');
  const db = new Database(path, { timeout: 5000 });
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${synchronous}`);
  const numbered = (sql) => sql.replace(/\$\d+/g, '?');
  const read = db.prepare(numbered(lookup(2)));
  const mark = db.prepare(numbered(MARK));
  const insert = db.prepare(
    `INSERT INTO refresh_tokens (${SUCCESSOR_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`,
  );
  const dropSeal = db.prepare(numbered(DROP_SEAL));
  const rotation = db.transaction((row, v) => {
    if (mark.run(v.now, v.successorId, v.sealed, row.token_id).changes !== 1) return false;
    insert.run(v.successorId, row.family_id, v.successorDigest, row.token_id, v.now, v.expiresAt);
    if (row.parent_id !== null) dropSeal.run(row.parent_id);
    return true;
  });
  return {
    refresh: async (id, digest, v) => {
      const row = read.get(id, digest);
      return { row, rotated: refreshable(row, v.now) && rotation(row, v) };
    },
  };
}

/**
 * One statement (one round trip): the read as `found`, and the rotation's three writes as
 * data-modifying WITH parts made only when `found` is refreshable.
 */
function postgresStore(url) {
  const { Pool } = require('pg');
  const pool = new Pool({ connectionString: url, max: 10 });
  const text =
    `WITH found AS (${lookup(7)}), ` +
    `marked AS (UPDATE refresh_tokens SET rotated_at = $2, successor_id = $3, ` +
    `successor_sealed = $4 WHERE id = (SELECT token_id FROM found WHERE revoked_at IS NULL ` +
    `AND expires_at > $2 AND client_id IS NULL AND user_id IS NOT NULL AND NOT disabled) ` +
    `AND rotated_at IS NULL RETURNING 1), ` +
    `dropped AS (UPDATE refresh_tokens SET successor_sealed = NULL ` +
    `WHERE id = (SELECT parent_id FROM found) AND EXISTS (SELECT 1 FROM marked)), ` +
    `inserted AS (INSERT INTO refresh_tokens (${SUCCESSOR_COLUMNS}) ` +
    `SELECT $3, family_id, $5, token_id, $2, $6 FROM found, marked RETURNING 1) ` +
    `SELECT found.*, EXISTS (SELECT 1 FROM inserted) AS rotated FROM found`;
  return {
    refresh: async (id, digest, v) => {
      const { rows } = await pool.query({
        name: 'floor-refresh',
        text,
        values: [id, v.now, v.successorId, v.sealed, v.successorDigest, v.expiresAt, digest],
      });
      const row = rows[0];
      return { row, rotated: row !== undefined && row.rotated === true };
    },
  };
}

const store = process.env.FLOOR_DATABASE_URL
  ? postgresStore(process.env.FLOOR_DATABASE_URL)
  : sqliteStore(process.env.FLOOR_SQLITE, process.env.FLOOR_SYNCHRONOUS ?? 'FULL');

const invalid = () =>
  new HttpException({ error: 'invalid_token', message: 'Invalid refresh token' }, 401);

class RefreshController {
  async refresh(body) {
    const presented = body && body.refreshToken;
    const id = rowOf(presented);
    if (id === undefined) throw invalid();
    const now = Date.now();
    const successorId = timeOrderedUuid(now);
    const successor = tokenFor(successorId);
    const { row, rotated } = await store.refresh(id, sha256Hex(presented), {
      now,
      successorId,
      sealed: seal(presented, successor),
      successorDigest: sha256Hex(successor),
      expiresAt: now + REFRESH_TTL_MS,
    });
    if (!rotated) throw invalid();
    const iat = Math.floor(now / 1000);
    const authTime = Number(row.auth_time ?? row.family_created_at);
    const claims = {
      iss: ISSUER,
      sub: row.user_id,
      aud: ISSUER,
      iat,
      exp: iat + ACCESS_TTL_SECONDS,
      jti: randomUUID(),
      roles: JSON.parse(row.roles),
      scope: row.scope,
      sid: row.family_id,
      amr: row.amr ? row.amr.split(' ') : [],
      auth_time: Math.floor(authTime / 1000),
    };
    const accessToken = sign(claims, privateKey, {
      algorithm: 'RS256',
      header: { alg: 'RS256', typ: 'at+jwt', kid: 'bench' },
    });
    return {
      accessToken,
      refreshToken: successor,
      tokenType: 'Bearer',
      expiresIn: ACCESS_TTL_SECONDS,
    };
  }

  health() {
    return { status: 'ok' };
  }
}

/** Applies method and parameter decorators the way TypeScript would. */
function decorate(target, method, decorators, parameters = []) {
  const descriptor = Object.getOwnPropertyDescriptor(target.prototype, method);
  parameters.forEach((decorator, index) => decorator(target.prototype, method, index));
  for (const decorator of decorators) decorator(target.prototype, method, descriptor);
}
decorate(RefreshController, 'refresh', [Post('auth/refresh'), HttpCode(200)], [Body()]);
decorate(RefreshController, 'health', [Get('health')]);
Controller()(RefreshController);

class RefreshFloorModule {}
Module({ controllers: [RefreshController] })(RefreshFloorModule);

process.once('SIGTERM', () => process.exit(0));
NestFactory.create(RefreshFloorModule, new FastifyAdapter(), { logger: false })
  .then((app) => app.listen(Number(process.env.FLOOR_PORT), '127.0.0.1'))
  .catch((error) => {
    process.stderr.write(`${error.stack}\n`);
    process.exit(1);
  });
