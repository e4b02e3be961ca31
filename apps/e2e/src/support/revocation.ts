import type { SmtpSink } from '@keycard/testing';
import type { RegisteredUser, TokenPair } from './api';
import { login, refresh, registerUser } from './api';
import { createApiKey, rotateApiKey } from './api-keys';
import { decodeJwt, request } from './http';
import type { ClientPair, Credentials, RunningService } from './stack';

/** An auth-service, the replicas that follow its revocations, and who may act on it. */
export interface RevocationTarget {
  auth: RunningService;
  replicas: RunningService[];
  admin: Credentials;
  /** A registered client (the replicas'), for `/oauth/revoke`. */
  client: ClientPair;
  /** AUTH_ISSUER, the origin of the mailed links. */
  issuer: string;
  /** The SMTP server the auth-service mails to (its SMTP_URL), for the reset link. */
  mail: SmtpSink;
}

/** A bearer token or an API key, as a replica's `GET /me` takes it. */
export type Credential = { bearer: string } | { apiKey: string };

/** One case of API.md section 8: a live credential, and the act that revokes it. */
export interface RevocationCase {
  name: string;
  arrange(target: RevocationTarget): Promise<Armed>;
}

export interface Armed {
  credential: Credential;
  /** Revokes; resolves when the auth-service answered (the clock of the timing starts then). */
  revoke(): Promise<void>;
}

function headersOf(credential: Credential): { bearer?: string; headers?: Record<string, string> } {
  return 'bearer' in credential
    ? { bearer: credential.bearer }
    : { headers: { 'x-api-key': credential.apiKey } };
}

/** `GET /me` at one replica: its status. */
export async function statusAt(replica: RunningService, credential: Credential): Promise<number> {
  return (await request('GET', `${replica.url}/me`, headersOf(credential))).status;
}

export function statusesAt(replicas: RunningService[], credential: Credential): Promise<number[]> {
  return Promise.all(replicas.map((replica) => statusAt(replica, credential)));
}

/**
 * Milliseconds from now until `GET /me` with `credential` first answers 401 at each replica
 * (polling each replica without pause); `Infinity` for a replica still accepting it at `limitMs`.
 */
export async function msUntilRefused(
  replicas: RunningService[],
  credential: Credential,
  limitMs: number,
): Promise<number[]> {
  const started = performance.now();
  return Promise.all(
    replicas.map(async (replica) => {
      for (;;) {
        const status = await statusAt(replica, credential);
        const elapsed = performance.now() - started;
        if (status === 401) return elapsed;
        if (status !== 200) throw new Error(`${replica.url}/me answered ${status}`);
        if (elapsed > limitMs) return Number.POSITIVE_INFINITY;
      }
    }),
  );
}

function expectOk(response: { status: number; text: string }, expected: number, what: string) {
  if (response.status !== expected)
    throw new Error(`${what}: ${response.status} ${response.text.slice(0, 200)}`);
}

async function adminToken(target: RevocationTarget): Promise<string> {
  return (await login(target, target.admin)).accessToken;
}

async function userAndLogin(target: RevocationTarget): Promise<[RegisteredUser, TokenPair]> {
  const user = await registerUser(target, 'Revoked');
  return [user, await login(target, user)];
}

interface BrowserSession {
  cookie: string;
  csrfToken: string;
  id: string;
  accessToken: string;
}

async function browserSession(
  target: RevocationTarget,
  user: Credentials,
): Promise<BrowserSession> {
  const origin = target.auth.url;
  const signIn = await request<{ id: string; csrfToken: string }>(
    'POST',
    `${origin}/session/login`,
    { json: { email: user.email, password: user.password }, headers: { origin } },
  );
  expectOk(signIn, 200, 'session login');
  const setCookie = signIn.headers.get('set-cookie') ?? '';
  const cookie = /keycard\.sid=[^;]+/.exec(setCookie)?.[0];
  if (cookie === undefined) throw new Error('session login set no cookie');
  const minted = await request<{ accessToken: string }>('POST', `${origin}/session/token`, {
    headers: { cookie, origin, 'x-csrf-token': signIn.body.csrfToken },
  });
  expectOk(minted, 200, 'session token');
  const { id, csrfToken } = signIn.body;
  return { cookie, csrfToken, id, accessToken: minted.body.accessToken };
}

const basic = (client: ClientPair) =>
  `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`;

async function patchUser(target: RevocationTarget, id: string, json: unknown): Promise<void> {
  const answer = await request('PATCH', `${target.auth.url}/admin/users/${id}`, {
    bearer: await adminToken(target),
    json,
  });
  expectOk(answer, 200, 'PATCH /admin/users/:id');
}

/** The token of the reset link mailed to `email` (AUTH_ISSUER/reset-password?token=…). */
async function resetToken(target: RevocationTarget, email: string): Promise<string> {
  const mail = await target.mail.waitForMessage(
    (m) => m.to.includes(email) && m.subject.startsWith('Reset your password'),
    20_000,
  );
  const prefix = `${target.issuer}/reset-password?token=`;
  const link = mail.links.find((candidate) => candidate.startsWith(prefix));
  const token = link === undefined ? null : new URL(link).searchParams.get('token');
  if (!token) throw new Error(`no ${prefix}… link in the reset mail: ${mail.links.join(' ')}`);
  return token;
}

/** Every case of API.md section 8 but the signing key (`signingKeyCase`, which ends all tokens). */
export const REVOCATION_CASES: RevocationCase[] = [
  {
    name: 'POST /auth/logout',
    async arrange(target) {
      const [, pair] = await userAndLogin(target);
      return {
        credential: { bearer: pair.accessToken },
        revoke: async () =>
          expectOk(
            await request('POST', `${target.auth.url}/auth/logout`, {
              json: { refreshToken: pair.refreshToken },
            }),
            204,
            'logout',
          ),
      };
    },
  },
  {
    name: 'POST /session/logout',
    async arrange(target) {
      const [user] = await userAndLogin(target);
      const session = await browserSession(target, user);
      return {
        credential: { bearer: session.accessToken },
        revoke: async () => {
          const answer = await request('POST', `${target.auth.url}/session/logout`, {
            headers: {
              cookie: session.cookie,
              origin: target.auth.url,
              'x-csrf-token': session.csrfToken,
            },
          });
          expectOk(answer, 204, 'session logout');
        },
      };
    },
  },
  {
    name: 'DELETE /sessions/:id',
    async arrange(target) {
      const [user, pair] = await userAndLogin(target);
      const session = await browserSession(target, user);
      return {
        credential: { bearer: session.accessToken },
        revoke: async () =>
          expectOk(
            await request('DELETE', `${target.auth.url}/sessions/${session.id}`, {
              bearer: pair.accessToken,
            }),
            204,
            'DELETE /sessions/:id',
          ),
      };
    },
  },
  {
    name: 'POST /auth/logout-all',
    async arrange(target) {
      const [user, first] = await userAndLogin(target);
      const second = await login(target, user);
      return {
        credential: { bearer: second.accessToken },
        revoke: async () =>
          expectOk(
            await request('POST', `${target.auth.url}/auth/logout-all`, {
              bearer: first.accessToken,
            }),
            204,
            'logout-all',
          ),
      };
    },
  },
  {
    name: 'POST /oauth/revoke (refresh token)',
    async arrange(target) {
      const [, pair] = await userAndLogin(target);
      return {
        credential: { bearer: pair.accessToken },
        revoke: async () => {
          const answer = await fetch(`${target.auth.url}/oauth/revoke`, {
            method: 'POST',
            headers: {
              authorization: basic(target.client),
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: new URLSearchParams({ token: pair.refreshToken }).toString(),
          });
          expectOk({ status: answer.status, text: await answer.text() }, 200, 'oauth revoke');
        },
      };
    },
  },
  {
    name: 'refresh reuse detection',
    async arrange(target) {
      const [, first] = await userAndLogin(target);
      const second = await refresh(target, first.refreshToken);
      const third = await refresh(target, second.body.refreshToken);
      expectOk(third, 200, 'refresh');
      return {
        credential: { bearer: third.body.accessToken },
        // Two generations back: reuse, not a retry (REFRESH_REUSE_INTERVAL).
        revoke: async () =>
          expectOk(await refresh(target, first.refreshToken), 401, 'reused refresh token'),
      };
    },
  },
  {
    name: 'user disabled',
    async arrange(target) {
      const [user, pair] = await userAndLogin(target);
      return {
        credential: { bearer: pair.accessToken },
        revoke: () => patchUser(target, user.user.id, { disabled: true }),
      };
    },
  },
  {
    name: 'user roles changed',
    async arrange(target) {
      const [user, pair] = await userAndLogin(target);
      return {
        credential: { bearer: pair.accessToken },
        revoke: () => patchUser(target, user.user.id, { roles: ['reader'] }),
      };
    },
  },
  {
    name: 'password change',
    async arrange(target) {
      const [user, kept] = await userAndLogin(target);
      const other = await login(target, user);
      return {
        credential: { bearer: other.accessToken },
        revoke: async () =>
          expectOk(
            await request('POST', `${target.auth.url}/auth/password/change`, {
              bearer: kept.accessToken,
              json: { currentPassword: user.password, newPassword: `${user.password}-new` },
            }),
            204,
            'password change',
          ),
      };
    },
  },
  {
    name: 'password reset',
    async arrange(target) {
      const [user, pair] = await userAndLogin(target);
      // One request per run: forgot is limited per address and per client IP.
      const forgot = await request('POST', `${target.auth.url}/auth/password/forgot`, {
        json: { email: user.email },
      });
      expectOk(forgot, 202, 'password forgot');
      const token = await resetToken(target, user.email);
      return {
        credential: { bearer: pair.accessToken },
        revoke: async () =>
          expectOk(
            await request('POST', `${target.auth.url}/auth/password/reset`, {
              json: { token, password: `new-${user.password}` },
            }),
            204,
            'password reset',
          ),
      };
    },
  },
  {
    name: 'DELETE /api-keys/:id',
    async arrange(target) {
      const [, pair] = await userAndLogin(target);
      const key = await createApiKey(target, pair.accessToken, { scopes: ['documents:read'] });
      return {
        credential: { apiKey: key.key },
        revoke: async () =>
          expectOk(
            await request('DELETE', `${target.auth.url}/api-keys/${key.id}`, {
              bearer: pair.accessToken,
            }),
            204,
            'DELETE /api-keys/:id',
          ),
      };
    },
  },
  {
    name: 'API key past its rotation grace',
    async arrange(target) {
      const [, pair] = await userAndLogin(target);
      const key = await createApiKey(target, pair.accessToken, { scopes: ['documents:read'] });
      return {
        credential: { apiKey: key.key },
        // A grace of 0: the old key stops when the rotation answers.
        revoke: async () => void (await rotateApiKey(target, pair.accessToken, key.id, 0)),
      };
    },
  },
  {
    name: 'client deleted',
    async arrange(target) {
      const admin = await adminToken(target);
      const created = await request<{ clientId: string; clientSecret: string }>(
        'POST',
        `${target.auth.url}/admin/clients`,
        { bearer: admin, json: { name: 'revoked-client', scopes: ['documents:read'] } },
      );
      expectOk(created, 201, 'POST /admin/clients');
      const token = await fetch(`${target.auth.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: basic({ id: created.body.clientId, secret: created.body.clientSecret }),
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      const body = (await token.json()) as { access_token: string };
      return {
        credential: { bearer: body.access_token },
        revoke: async () =>
          expectOk(
            await request('DELETE', `${target.auth.url}/admin/clients/${created.body.clientId}`, {
              bearer: admin,
            }),
            204,
            'DELETE /admin/clients/:id',
          ),
      };
    },
  },
];

/** The signing key of `token` revoked: every token it signed stops (run it last). */
export async function signingKeyCase(target: RevocationTarget): Promise<Armed> {
  const [, pair] = await userAndLogin(target);
  const kid = String(decodeJwt(pair.accessToken).header['kid']);
  const admin = await adminToken(target);
  return {
    credential: { bearer: pair.accessToken },
    revoke: async () =>
      expectOk(
        await request('POST', `${target.auth.url}/admin/keys/${kid}/revoke`, { bearer: admin }),
        200,
        'POST /admin/keys/:kid/revoke',
      ),
  };
}

/** p50, p90, p99 and max of `values`, and a one-line summary for the test's output. */
export function distribution(values: number[]): {
  p50: number;
  p90: number;
  p99: number;
  max: number;
  line: string;
} {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  const [p50, p90, p99, max] = [at(0.5), at(0.9), at(0.99), sorted[sorted.length - 1]];
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return {
    p50,
    p90,
    p99,
    max,
    line: `n=${sorted.length} p50 ${ms(p50)} p90 ${ms(p90)} p99 ${ms(p99)} max ${ms(max)}`,
  };
}
