// What each call kind may answer, healthy and under each fault: the README's "Failure modes"
// table is this file. A status outside the set is a violation, and so are, everywhere: any 5xx but
// 503, a 2xx to a revoked credential, an answer slower than the row's latency bound.
import { DOWN, TIMEOUT } from './traffic.mjs';

export const HEALTHY = {
  login: [200],
  refresh: [200],
  logout: [204],
  sessionLogin: [200],
  sessions: [200],
  page: [200],
  sessionLogout: [204],
  apiKey: [200],
  bearer: [200],
  revokedRefresh: [401],
  revokedSession: [401],
  revokedAccess: [401],
  revokedBearer: [401],
};

const AUTH_KINDS = [
  'login',
  'refresh',
  'logout',
  'sessionLogin',
  'sessions',
  'page',
  'sessionLogout',
  'revokedRefresh',
  'revokedSession',
  'revokedAccess',
];

/** `HEALTHY` with `overrides` (a kind's whole set) applied. */
const under = (overrides) => ({ ...HEALTHY, ...overrides });
const only503 = (kinds) => Object.fromEntries(kinds.map((kind) => [kind, [503]]));
const or503 = (kinds) => Object.fromEntries(kinds.map((kind) => [kind, [...HEALTHY[kind], 503]]));

/** Redis down or paused: everything that needs the session store or the login throttle is 503. */
const REDIS_DOWN = under({
  ...only503(['login', 'sessionLogin', 'sessions', 'page', 'sessionLogout']),
  revokedSession: [401, 503],
});

/** PostgreSQL down or too slow: whatever reads or writes the auth database is 503. */
const DATABASE_DOWN = under({
  ...only503(['login', 'refresh', 'logout', 'sessionLogin']),
  ...or503(['sessions', 'page', 'sessionLogout', 'apiKey']),
  revokedRefresh: [401, 503],
  revokedSession: [401, 503],
  revokedAccess: [401, 503],
});

/**
 * The rows. `allowed`: the sets while the fault lasts; `latencyMs`: the slowest answer allowed
 * under the fault (REDIS_TIMEOUT 500 ms / DATABASE_TIMEOUT 2 s plus slack for a busy 2-core
 * machine: a sign-in hashes a password; far below the 8 s a fault lasts); `recoveryMs`: the longest from removing the fault until every kind answers
 * as when healthy again; `graceMs`: right after injecting, the time in which a call may still get
 * its healthy answer (the fault takes a moment to be noticed: a pool's idle connection, a
 * request already past its Redis step).
 */
export const ROWS = {
  'Redis killed': {
    allowed: REDIS_DOWN,
    // Until the client notices: a session of the old Redis is unknown to the new, empty one.
    afterRemoval: { sessions: [401], page: [302, 303], sessionLogout: [204] },
    latencyMs: 4000,
    recoveryMs: 5000,
    graceMs: 500,
  },
  'Redis paused (CLIENT PAUSE)': {
    allowed: REDIS_DOWN,
    // A session sign-out that timed out still runs when Redis wakes up (in order, as written).
    afterRemoval: { sessions: [401], page: [302, 303], sessionLogout: [204] },
    latencyMs: 4000,
    recoveryMs: 5000,
    graceMs: 500,
  },
  'PostgreSQL stopped': {
    allowed: DATABASE_DOWN,
    latencyMs: 5000,
    recoveryMs: 5000,
    graceMs: 1000,
  },
  'PostgreSQL restarted': {
    allowed: DATABASE_DOWN,
    latencyMs: 5000,
    recoveryMs: 5000,
    graceMs: 1000,
  },
  'PostgreSQL slow (table locked)': {
    allowed: under({
      ...only503(['login', 'refresh', 'logout']),
      ...or503(['sessionLogin', 'sessions', 'page', 'sessionLogout', 'apiKey']),
      revokedRefresh: [401, 503],
      revokedSession: [401, 503],
      revokedAccess: [401, 503],
    }),
    latencyMs: 5000,
    recoveryMs: 5000,
    graceMs: 1000,
  },
  'auth-service killed': {
    allowed: under({
      ...Object.fromEntries(AUTH_KINDS.map((kind) => [kind, [DOWN]])),
      apiKey: [200, 503],
    }),
    latencyMs: 2500,
    recoveryMs: 5000,
    graceMs: 200,
  },
};

/** The error codes of a 503 from the auth-service (a dependency down, a store unavailable). */
const UNAVAILABLE_CODES = new Set(['dependency_unavailable', 'unavailable']);

/** Why `answer` of `kind` breaks `allowed`, or undefined. */
export function violation(kind, answer, allowed, latencyMs) {
  const { status, ms } = answer;
  if (status === TIMEOUT) return `no answer within the client's timeout`;
  if (typeof status === 'number' && status >= 500 && status !== 503) return `answered ${status}`;
  if (kind.startsWith('revoked') && typeof status === 'number' && status < 300)
    return `a revoked credential was accepted (${status})`;
  if (status === 503 && kind === 'page' && !String(answer.body).includes('Temporarily unavailable'))
    return 'answered 503 with a page that does not say it is temporary';
  if (
    status === 503 &&
    !['page', 'bearer', 'apiKey'].includes(kind) &&
    !(UNAVAILABLE_CODES.has(answer.body?.error) && typeof answer.body?.message === 'string')
  )
    return `answered 503 without an "unavailable" error code and message`;
  if (!allowed[kind].includes(status))
    return `answered ${status}, expected ${allowed[kind].join('/')}`;
  if (latencyMs !== undefined && ms > latencyMs)
    return `took ${Math.round(ms)} ms (bound ${latencyMs})`;
  return undefined;
}

/** The allowed set of `kind` right after a fault is injected or removed: both states. */
export function either(a, b) {
  return Object.fromEntries(
    Object.keys(a).map((kind) => [kind, [...new Set([...a[kind], ...b[kind]])]]),
  );
}
