// Crash safety: SIGKILL the auth-service in the middle of refreshes, API-key creations and key
// rotations, start it again, and check the database and the answers the clients got: no refresh
// family with two live tokens, no token rotated without its successor, exactly one active and one
// next signing key, and nothing a client got a 2xx for missing.
import { randomInt } from 'node:crypto';
import { sleep } from './servers.mjs';
import { adminToken, query } from './stack.mjs';
import { call } from './traffic.mjs';

const CHAINS = 24;
const credentials = ({ email, password }) => ({ email, password });
const WORKERS = 4;

/**
 * Runs `step` in `workers` loops and SIGKILLs the auth-service once a few steps have succeeded
 * (then a random 0-300 ms later, so the kill lands in the middle of others), then starts it
 * again. Returns the steps' results (their statuses).
 */
async function untilKilled(stack, workers, step, success) {
  const results = [];
  let alive = true;
  const loops = [...Array(workers).keys()].map(async (worker) => {
    while (alive) results.push(await step(worker));
  });
  const deadline = Date.now() + 20_000;
  while (results.filter((status) => status === success).length < 3 && Date.now() < deadline)
    await sleep(20);
  await sleep(randomInt(300));
  const succeeded = results.filter((status) => status === success).length;
  await stack.auth.kill();
  alive = false;
  await Promise.all(loops);
  await stack.auth.start();
  if (succeeded < 3) {
    const seen = [...new Set(results)].join(', ');
    throw new Error(`only ${succeeded} of ${results.length} steps answered ${success} (${seen})`);
  }
  return results;
}

async function refreshesKilled(stack, fail) {
  const user = stack.client.users[0];
  const chains = [];
  for (let i = 0; i < CHAINS; i += 1) {
    const login = await call(`${stack.auth.url}/auth/login`, {
      method: 'POST',
      json: credentials(user),
    });
    chains.push({ confirmed: login.body.refreshToken });
  }
  // Each worker refreshes its own chains in turn, so no two calls present the same token.
  const workers = WORKERS * 2;
  const turns = new Array(workers).fill(0);
  const results = await untilKilled(
    stack,
    workers,
    async (worker) => {
      const mine = chains.filter((_, i) => i % workers === worker);
      const chain = mine[turns[worker]++ % mine.length];
      const answer = await call(`${stack.auth.url}/auth/refresh`, {
        method: 'POST',
        json: { refreshToken: chain.confirmed },
      });
      if (answer.status === 200) chain.confirmed = answer.body.refreshToken;
      return answer.status;
    },
    200,
  );
  // Every token a client got a 200 for still works (or hands back the successor it already has,
  // within the reuse interval, when its own rotation committed but the answer was lost).
  let refused = 0;
  for (const chain of chains) {
    const answer = await call(`${stack.auth.url}/auth/refresh`, {
      method: 'POST',
      json: { refreshToken: chain.confirmed },
    });
    if (answer.status !== 200) refused += 1;
  }
  if (refused)
    fail(
      `refresh: ${refused} of ${CHAINS} tokens a client got a 200 for were refused after the crash`,
    );
  const doubles = await query(
    stack.authDb,
    `SELECT t.family_id FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
     WHERE t.rotated_at IS NULL AND f.revoked_at IS NULL GROUP BY t.family_id HAVING count(*) > 1`,
  );
  if (doubles.length) fail(`refresh: ${doubles.length} families with two live successors`);
  const orphans = await query(
    stack.authDb,
    `SELECT t.id FROM refresh_tokens t LEFT JOIN refresh_tokens s ON s.id = t.successor_id
     WHERE t.rotated_at IS NOT NULL AND t.successor_id IS NOT NULL AND s.id IS NULL`,
  );
  if (orphans.length) fail(`refresh: ${orphans.length} tokens rotated without their successor`);
  return `crash during refreshes: ${results.filter((s) => s === 200).length} answered 200 before the kill; after restart ${CHAINS - refused}/${CHAINS} chains continue, ${doubles.length} double successors, ${orphans.length} orphans`;
}

async function apiKeysKilled(stack, fail) {
  const user = stack.client.users[1];
  const token = (
    await call(`${stack.auth.url}/auth/login`, { method: 'POST', json: credentials(user) })
  ).body.accessToken;
  const created = [];
  await untilKilled(
    stack,
    WORKERS,
    async () => {
      const answer = await call(`${stack.auth.url}/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
        json: { name: 'crash', rateLimit: 1000 },
      });
      if (answer.status === 201) created.push(answer.body);
      return answer.status;
    },
    201,
  );
  const listed = await call(`${stack.auth.url}/api-keys`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const ids = new Set((Array.isArray(listed.body) ? listed.body : []).map((key) => key.id));
  let missing = 0;
  for (const key of created) {
    const me = await call(`${stack.resource.url}/me`, { headers: { 'x-api-key': key.key } });
    if (!ids.has(key.id) || me.status !== 200) missing += 1;
  }
  if (missing)
    fail(`api keys: ${missing} of ${created.length} keys answered 201 are missing or refused`);
  return `crash during API-key creation: ${created.length} created (201) before the kill, ${missing} missing after restart`;
}

async function rotationsKilled(stack, fail) {
  let token = await adminToken(stack);
  const rotated = [];
  await untilKilled(
    stack,
    2,
    async () => {
      const answer = await call(`${stack.auth.url}/admin/keys/rotate?force=true`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      });
      if (answer.status === 201) rotated.push(answer.body.active.kid);
      return answer.status;
    },
    201,
  );
  const keys = await query(stack.authDb, 'SELECT kid, status FROM signing_keys');
  const count = (status) => keys.filter((key) => key.status === status).length;
  if (count('active') !== 1 || count('next') !== 1)
    fail(
      `keys: ${count('active')} active and ${count('next')} next after the crash (want 1 and 1)`,
    );
  const kids = new Set(keys.map((key) => key.kid));
  const lost = rotated.filter((kid) => !kids.has(kid));
  if (lost.length) fail(`keys: ${lost.length} keys a rotation answered 201 with are gone`);
  // A token signed now verifies at the resource-service (it fetches the JWKS for a new kid).
  token = await adminToken(stack);
  const me = await call(`${stack.resource.url}/me`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (me.status !== 200)
    fail(`keys: a token signed after the crash got ${me.status} at the resource-service`);
  return `crash during key rotation: ${rotated.length} rotations answered 201; after restart ${count('active')} active, ${count('next')} next key; new tokens verify: ${me.status === 200}`;
}

/** The three crashes, each recorded as a row of its own; returns one summary line each. */
export async function runCrashes(stack, recorder) {
  const lines = [];
  for (const [name, crash] of [
    ['kill -9 during refreshes', refreshesKilled],
    ['kill -9 during API-key creation', apiKeysKilled],
    ['kill -9 during key rotation', rotationsKilled],
  ]) {
    const record = recorder.begin(name, { graceMs: 0, allowed: {}, recoveryMs: 20_000 });
    const startedAt = Date.now();
    const fail = (message) => recorder.fail(message, record);
    lines.push(
      await crash(stack, fail).catch((error) => {
        fail(`${name}: ${error.message}`);
        return `${name}: failed`;
      }),
    );
    record.recoveryMs = undefined;
    record.counts = { all: { checked: 1 } };
    record.elapsedMs = Date.now() - startedAt;
    recorder.end();
  }
  return lines;
}
