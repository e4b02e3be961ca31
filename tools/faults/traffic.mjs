// The mixed calls of the fault run and the soak, and a bounded load loop that records every
// answer by call kind: sign-ins (JSON and session), refreshes, session calls and the account page,
// API-key and bearer calls at the resource-service, sign-outs, and credentials that were revoked
// before the fault (which must never be accepted).
import { randomSecret, sleep } from './servers.mjs';

/** A connection refused or reset, or no answer within the client's timeout: not an HTTP status. */
export const DOWN = 'down';
export const TIMEOUT = 'timeout';
const CLIENT_TIMEOUT_MS = 20_000;
/** Pools kept at least this large: sign-outs take from them, sign-ins (which may fail) add. */
const MIN_CHAINS = 12;
const MIN_SESSIONS = 4;
const REVOCATION_GRACE_MS = 3000;

/** One HTTP call: `{ status, ms, body?, headers }`; `status` is DOWN/TIMEOUT without an answer. */
export async function call(url, { method = 'GET', headers = {}, json, timeoutMs } = {}) {
  const started = performance.now();
  const init = {
    method,
    headers: { ...headers },
    redirect: 'manual', // a page that sends the browser to /login must not count as the page
    signal: AbortSignal.timeout(timeoutMs ?? CLIENT_TIMEOUT_MS),
  };
  if (json !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(json);
  }
  try {
    const response = await fetch(url, init);
    const text = await response.text();
    const ms = performance.now() - started;
    let body = text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text) {
      try {
        body = JSON.parse(text);
      } catch {
        // keep the text
      }
    }
    return { status: response.status, ms, body, headers: response.headers };
  } catch (error) {
    const ms = performance.now() - started;
    const timedOut = error?.name === 'TimeoutError' || error?.cause?.name === 'TimeoutError';
    return { status: timedOut ? TIMEOUT : DOWN, ms };
  }
}

function cookieOf(answer, name) {
  const cookies = answer.headers?.getSetCookie?.() ?? [];
  const found = cookies.find((cookie) => cookie.startsWith(`${name}=`));
  return found?.split(';')[0];
}

/**
 * The client side of a stack (`auth`, `resource` base URLs): users with their API keys, and
 * pools of live refresh tokens, access tokens and session cookies the calls take turns with.
 */
export class Client {
  constructor({ auth, resource, admin }) {
    this.auth = auth;
    this.resource = resource;
    this.admin = admin;
    this.users = [];
    this.chains = [];
    this.sessions = [];
    this.revoked = { refresh: [], session: [], access: [], accessAt: [] };
    this.turn = 0;
  }

  pick(list) {
    this.turn += 1;
    return list.length ? list[this.turn % list.length] : undefined;
  }

  /** Registers `count` users, each with one API key (limit 100000 a minute). */
  async setUp(count) {
    for (let i = 0; i < count; i += 1) {
      const user = { email: `faults-${randomSecret(10)}@example.test`, password: randomSecret(20) };
      const registered = await call(`${this.auth}/auth/register`, { method: 'POST', json: user });
      if (registered.status !== 201) throw new Error(`register: ${registered.status}`);
      const login = await this.login(user);
      if (login.status !== 200) throw new Error(`login: ${login.status}`);
      const key = await call(`${this.auth}/api-keys`, {
        method: 'POST',
        headers: { authorization: `Bearer ${login.body.accessToken}` },
        json: { name: 'faults', rateLimit: 100_000 },
      });
      if (key.status !== 201) throw new Error(`api key: ${key.status}`);
      user.apiKey = key.body.key;
      user.apiKeyId = key.body.id;
      user.accessToken = login.body.accessToken;
      this.users.push(user);
      if ((await this.sessionLogin(user)).status !== 200) throw new Error('session login failed');
    }
    while (this.chains.length < 2 * MIN_CHAINS) await this.login();
    while (this.sessions.length < 2 * MIN_SESSIONS) await this.sessionLogin();
    // Credentials revoked before any fault: each must stay refused whatever breaks later.
    for (let i = 0; i < 2; i += 1) {
      await this.logout();
      await this.sessionLogout();
    }
  }

  async login(user = this.pick(this.users)) {
    const answer = await call(`${this.auth}/auth/login`, {
      method: 'POST',
      json: { email: user.email, password: user.password },
    });
    if (answer.status === 200) {
      this.chains.push({ token: answer.body.refreshToken, access: answer.body.accessToken });
      if (this.chains.length > 40) this.chains.shift();
    }
    return answer;
  }

  async refresh() {
    const chain = this.chains.shift();
    if (!chain) return { ...(await this.login()), kind: 'login' };
    const answer = await call(`${this.auth}/auth/refresh`, {
      method: 'POST',
      json: { refreshToken: chain.token },
    });
    if (answer.status === 200) {
      chain.token = answer.body.refreshToken;
      chain.access = answer.body.accessToken;
    }
    // A chain whose token was refused is dropped; one that got no answer is tried again later
    // (the reuse interval hands back the same successor if the rotation had committed).
    if (answer.status !== 401) this.chains.push(chain);
    return answer;
  }

  /** `POST /auth/logout` of one chain; on 204 its refresh and access tokens join the revoked. */
  async logout() {
    // Sign-outs never drain the pool that refreshes take turns with while sign-ins fail.
    if (this.chains.length <= MIN_CHAINS) return { ...(await this.refresh()), kind: 'refresh' };
    const chain = this.chains.shift();
    const answer = await call(`${this.auth}/auth/logout`, {
      method: 'POST',
      json: { refreshToken: chain.token },
    });
    // A sign-out that got no 204 may still have happened (a timeout after the commit): the
    // chain is neither reused nor counted as revoked.
    if (answer.status === 204) {
      this.revoked.refresh.push(chain.token);
      this.revoked.access.push(chain.access);
      this.revoked.accessAt.push(Date.now());
    }
    return answer;
  }

  async sessionLogin(user = this.pick(this.users)) {
    const answer = await call(`${this.auth}/session/login`, {
      method: 'POST',
      json: { email: user.email, password: user.password },
    });
    if (answer.status === 200) {
      this.sessions.push({ cookie: cookieOf(answer, 'keycard.sid'), csrf: answer.body.csrfToken });
      if (this.sessions.length > 20) this.sessions.shift();
    }
    return answer;
  }

  async sessionLogout() {
    if (this.sessions.length <= MIN_SESSIONS)
      return { ...(await this.sessionList()), kind: 'sessions' };
    const session = this.sessions.shift();
    const answer = await call(`${this.auth}/session/logout`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'x-csrf-token': session.csrf },
    });
    // As for `logout`: a session whose sign-out got no 204 is not used again.
    if (answer.status === 204) this.revoked.session.push(session.cookie);
    return answer;
  }

  async sessionList() {
    const session = this.pick(this.sessions);
    if (!session) return { ...(await this.sessionLogin()), kind: 'sessionLogin' };
    return call(`${this.auth}/sessions`, { headers: { cookie: session.cookie } });
  }

  async accountPage() {
    const session = this.pick(this.sessions);
    if (!session) return { ...(await this.sessionLogin()), kind: 'sessionLogin' };
    return call(`${this.auth}/account`, { headers: { cookie: session.cookie } });
  }

  /** Browser sessions lived in a Redis that was killed (no persistence): they are gone. */
  forgetSessions() {
    this.sessions.length = 0;
  }

  apiKey() {
    return call(`${this.resource}/me`, { headers: { 'x-api-key': this.pick(this.users).apiKey } });
  }

  /** A current access token of a live chain (one signed out is revoked at the resource too). */
  bearer() {
    const token = this.pick(this.chains)?.access;
    return call(`${this.resource}/me`, { headers: { authorization: `Bearer ${token}` } });
  }

  /** An access token of a signed-out login at the resource-service: refused (API.md section 8). */
  revokedBearer() {
    // Only tokens signed out REVOCATION_GRACE_MS ago or more: revocations reach verifiers within
    // about a second (API.md section 8), also while Redis is down (they poll the auth-service).
    const settled = this.revoked.accessAt.findLastIndex(
      (at) => at <= Date.now() - REVOCATION_GRACE_MS,
    );
    const token = this.revoked.access[this.turn++ % (Math.max(0, settled) + 1)];
    return call(`${this.resource}/me`, { headers: { authorization: `Bearer ${token}` } });
  }

  revokedRefresh() {
    const token = this.pick(this.revoked.refresh);
    return call(`${this.auth}/auth/refresh`, { method: 'POST', json: { refreshToken: token } });
  }

  revokedSession() {
    return call(`${this.auth}/sessions`, { headers: { cookie: this.pick(this.revoked.session) } });
  }

  revokedAccess() {
    const token = this.pick(this.revoked.access);
    return call(`${this.auth}/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  }
}

/** The calls of the mix, by kind; `revoked*` must never answer 2xx. */
export const KINDS = {
  login: (c) => c.login(),
  refresh: (c) => c.refresh(),
  logout: (c) => c.logout(),
  sessionLogin: (c) => c.sessionLogin(),
  sessions: (c) => c.sessionList(),
  page: (c) => c.accountPage(),
  sessionLogout: (c) => c.sessionLogout(),
  apiKey: (c) => c.apiKey(),
  bearer: (c) => c.bearer(),
  revokedRefresh: (c) => c.revokedRefresh(),
  revokedSession: (c) => c.revokedSession(),
  revokedAccess: (c) => c.revokedAccess(),
  revokedBearer: (c) => c.revokedBearer(),
};

/** How often each kind comes up in one cycle of the mix. */
const MIX = [
  ['bearer', 4],
  ['apiKey', 4],
  ['refresh', 3],
  ['sessions', 2],
  ['login', 1],
  ['sessionLogin', 1],
  ['page', 1],
  ['logout', 1],
  ['sessionLogout', 1],
  ['revokedRefresh', 1],
  ['revokedSession', 1],
  ['revokedAccess', 1],
  ['revokedBearer', 1],
];
const CYCLE = MIX.flatMap(([kind, weight]) => Array(weight).fill(kind));

/**
 * Runs the mix with `workers` concurrent callers at about `rate` calls a second in total, until
 * `stop()`. Each answer goes to `record(kind, answer, startedAt)`.
 */
export function loadLoop(client, { workers = 6, rate = 50, record, kinds = CYCLE }) {
  let running = true;
  const interval = (workers * 1000) / rate;
  const worker = async (offset) => {
    let index = offset;
    while (running) {
      const kind = kinds[index % kinds.length];
      index += 1;
      const startedAt = Date.now();
      const answer = await KINDS[kind](client);
      record(answer.kind ?? kind, answer, startedAt);
      const wait = interval - (Date.now() - startedAt);
      if (wait > 0 && running) await sleep(wait);
    }
  };
  const done = Promise.all([...Array(workers).keys()].map((i) => worker(i * 3)));
  return {
    async stop() {
      running = false;
      await done;
    },
  };
}
