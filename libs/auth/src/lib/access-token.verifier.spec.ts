import { KeycardError } from '@keycard/common';
import type { TestKeyPair } from '../testing/keycard-testing';
import { makeTestKeyPair } from '../testing/keycard-testing';
import {
  accessToken,
  AUDIENCE,
  freezeDate,
  ISSUER,
  StaticKeyResolver,
  userClaims,
} from '../testing/fixtures';
import { REJECTED_TOKENS, respelled } from '../testing/rejected-tokens';
import { AccessTokenVerifier } from './access-token.verifier';
import { resolveAuthOptions } from './options';

const NOW = Date.UTC(2026, 0, 1, 12);

describe('AccessTokenVerifier', () => {
  let key: TestKeyPair;
  let attacker: TestKeyPair;
  let verifier: AccessTokenVerifier;

  beforeAll(() => {
    freezeDate(NOW);
    key = makeTestKeyPair('key-1');
    attacker = makeTestKeyPair('key-1');
    verifier = new AccessTokenVerifier(
      resolveAuthOptions({ issuer: ISSUER, audience: AUDIENCE }),
      new StaticKeyResolver(key),
    );
  });

  afterAll(() => jest.useRealTimers());

  it('returns the principal of a valid token', async () => {
    const principal = await verifier.verify(
      accessToken(key, userClaims(NOW, { roles: ['admin'] })),
    );
    expect(principal).toMatchObject({
      sub: 'user-1',
      authType: 'jwt',
      roles: ['admin'],
      scopes: ['documents:read'],
    });
  });

  it('accepts the canonical spelling of the tokens it refuses respelled', async () => {
    const canonical = respelled(2, (signature) => signature)({ now: NOW, key, attacker });
    await expect(verifier.verify(canonical)).resolves.toMatchObject({ sub: 'user-1' });
  });

  it.each(REJECTED_TOKENS)('refuses %s with invalid_token', async (_name, makeToken, reason) => {
    const error = await verifier
      .verify(makeToken({ now: NOW, key, attacker }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KeycardError);
    expect((error as KeycardError).code).toBe('invalid_token');
    expect((error as KeycardError).reason).toMatch(reason);
  });

  it('treats a failing key lookup as an unknown key', async () => {
    const broken = new AccessTokenVerifier(
      resolveAuthOptions({ issuer: ISSUER, audience: AUDIENCE }),
      {
        getKey: () => Promise.reject(new Error('boom')),
      },
    );
    await expect(broken.verify(accessToken(key, userClaims(NOW)))).rejects.toMatchObject({
      reason: /unknown kid/,
    });
  });
});
