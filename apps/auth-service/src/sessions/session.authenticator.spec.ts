import { ErrorCode } from '@keycard/common';
import { codeOf } from '@keycard/testing';
import { SessionAuthenticator } from './session.authenticator';
import type { ActiveSession } from './sessions.service';

const ISSUER = { issuer: 'https://auth.example' };
const TOKEN = 'A'.repeat(43);

const active: ActiveSession = {
  session: {
    id: '00000000-0000-4000-8000-000000000001',
    tokenHash: 'h'.repeat(64),
    userId: '00000000-0000-4000-8000-0000000000aa',
    createdAt: 0,
    lastSeenAt: 0,
    idleExpiresAt: 1000,
    expiresAt: 2000,
    userAgent: '',
    ip: '127.0.0.1',
    csrfToken: 'csrf-token',
  },
  user: {
    id: '00000000-0000-4000-8000-0000000000aa',
    email: 'ada@example.test',
    name: null,
    passwordHash: null,
    roles: ['user', 'admin'],
    disabled: false,
    emailVerified: false,
    mfaMethods: '',
    createdAt: 0,
    updatedAt: 0,
  },
};

function requestWith(method: string, headers: Record<string, string> = {}, body?: unknown) {
  return { method, headers: { cookie: `other=1; keycard.sid=${TOKEN}`, ...headers }, body };
}

describe('SessionAuthenticator', () => {
  const seen: (string | undefined)[] = [];
  const authenticator = new SessionAuthenticator(
    {
      resolve: async (token) => {
        seen.push(token);
        return token === TOKEN ? active : null;
      },
    },
    ISSUER,
  );

  it('turns the session cookie into a session principal with fresh roles', async () => {
    expect(await authenticator.authenticate(requestWith('GET'))).toEqual({
      sub: active.user.id,
      authType: 'session',
      roles: ['user', 'admin'],
      scopes: [],
      scopeRestricted: false,
      sessionId: active.session.id,
      expiresAt: 1000,
      // A session recorded without its sign-in: no methods, signed in when it started.
      amr: [],
      authTime: 0,
    });
    expect(seen.at(-1)).toBe(TOKEN);
  });

  it('gives no principal without a cookie, or for something that is not a request', async () => {
    expect(await authenticator.authenticate({ method: 'GET', headers: {} })).toBeNull();
    expect(await authenticator.authenticate('nonsense')).toBeNull();
  });

  it.each([
    ['POST without a token', requestWith('POST'), ErrorCode.CsrfFailed],
    [
      'DELETE with a wrong header',
      requestWith('DELETE', { 'x-csrf-token': 'nope' }),
      ErrorCode.CsrfFailed,
    ],
    ['PATCH with a wrong field', requestWith('PATCH', {}, { _csrf: 'nope' }), ErrorCode.CsrfFailed],
    [
      'PUT from another origin',
      requestWith('PUT', { 'x-csrf-token': 'csrf-token', origin: 'https://evil.example' }),
      ErrorCode.CsrfFailed,
    ],
    ['POST with the header', requestWith('POST', { 'x-csrf-token': 'csrf-token' }), 'ok'],
    ['POST with the field', requestWith('POST', {}, { _csrf: 'csrf-token' }), 'ok'],
    [
      'POST from the issuer',
      requestWith('POST', { 'x-csrf-token': 'csrf-token', origin: 'https://auth.example' }),
      'ok',
    ],
    ['HEAD without a token', requestWith('HEAD'), 'ok'],
  ])('%s', async (_label, request, expected) => {
    expect(await codeOf(authenticator.authenticate(request))).toBe(expected);
  });

  it('answers 503 when the session store is down', async () => {
    const down = new SessionAuthenticator(
      { resolve: () => Promise.reject(new Error('connection refused')) },
      ISSUER,
    );
    expect(await codeOf(down.authenticate(requestWith('GET')))).toBe(ErrorCode.Unavailable);
  });
});
