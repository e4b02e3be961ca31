import type { Principal } from '@keycard/auth';
import { meAnswer } from './me.controller';

const principal = (overrides: Partial<Principal> = {}): Principal => ({
  sub: 'alice',
  authType: 'api_key',
  roles: [],
  scopes: ['documents:read', 'profile:read'],
  scopeRestricted: true,
  tokenId: 'key-1',
  sessionId: 'sid-1',
  environment: 'live',
  ...overrides,
});

describe('meAnswer', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is the view as JSON, and nothing else of the principal', () => {
    expect(JSON.parse(meAnswer(principal()))).toEqual({
      sub: 'alice',
      roles: [],
      scope: 'documents:read profile:read',
      authType: 'api_key',
      environment: 'live',
    });
    expect(JSON.parse(meAnswer(principal({ authType: 'jwt', environment: undefined })))).toEqual({
      sub: 'alice',
      roles: [],
      scope: 'documents:read profile:read',
      authType: 'jwt',
    });
  });

  it("serializes a frozen (cached, shared) principal's answer once", () => {
    const shared = Object.freeze(principal());
    const stringify = jest.spyOn(JSON, 'stringify');
    const first = meAnswer(shared);
    expect(meAnswer(shared)).toBe(first);
    expect(stringify).toHaveBeenCalledTimes(1);
  });

  it('answers a principal that is not frozen afresh each time, and each principal with its own', () => {
    const own = principal();
    const first = meAnswer(own);
    own.sub = 'mallory';
    expect(JSON.parse(meAnswer(own)).sub).toBe('mallory');
    const bob = Object.freeze(principal({ sub: 'bob' }));
    expect(JSON.parse(first).sub).toBe('alice');
    expect(JSON.parse(meAnswer(bob)).sub).toBe('bob');
  });
});
