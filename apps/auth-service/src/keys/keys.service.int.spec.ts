import { ErrorCode } from '@keycard/common';
import { rejection } from '@keycard/testing';
import { sign, verify } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { KeyDecryptionError } from './key-cipher';
import { VERIFY_LEEWAY_MS } from './key-lifecycle';
import type { KeysInstance } from './keys.test-kit';
import { keysInstance, openSqliteMemory, statuses } from './keys.test-kit';
import { SigningKeyEntity } from './signing-key.entity';

const JWKS_MAX_AGE_MS = 300_000;
const TTL_MS = 15 * 60_000;

async function kidWithStatus(instance: KeysInstance, status: string): Promise<string> {
  const key = (await instance.keys.list()).find((item) => item.status === status);
  if (!key) throw new Error(`no ${status} key`);
  return key.kid;
}

// Key generation and scrypt are CPU-bound: leave room for a busy machine.
jest.setTimeout(60_000);

describe('KeysService lifecycle', () => {
  let dataSource: DataSource;
  let a: KeysInstance;

  beforeEach(async () => {
    dataSource = await openSqliteMemory();
    a = await keysInstance(dataSource);
  });
  afterEach(() => dataSource.destroy());

  it('creates one active and one next key on first start, and no more on the next start', async () => {
    expect(await statuses(dataSource)).toEqual(['active', 'next']);
    await keysInstance(dataSource);
    expect(await statuses(dataSource)).toEqual(['active', 'next']);
    expect((await a.keys.getSigningKey()).kid).toBe(await kidWithStatus(a, 'active'));
  });

  it('stores private keys sealed, never as PEM', async () => {
    const rows = await dataSource.getRepository(SigningKeyEntity).find();
    for (const row of rows) {
      expect(row.privateKey).toMatch(/^v1\./);
      expect(row.privateKey).not.toContain('PRIVATE KEY');
    }
  });

  it('publishes the next key before it signs, with public members only', async () => {
    const { keys } = await a.keys.jwks();
    const next = await kidWithStatus(a, 'next');
    expect(keys.map((key) => key.kid)).toEqual([await kidWithStatus(a, 'active'), next]);
    expect((await a.keys.getSigningKey()).kid).not.toBe(next);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
    }
    expect(JSON.stringify(await a.keys.list())).not.toMatch(/"(d|p|q|dp|dq|qi|n|privateKey)"/);
  });

  it('gives verification keys that check what the signing key signed', async () => {
    const { kid, privateKey } = await a.keys.getSigningKey();
    const publicKey = await a.keys.getVerificationKey(kid);
    if (!publicKey) throw new Error('no verification key for the signing key');
    expect(publicKey.type).toBe('public');
    const signature = sign('sha256', Buffer.from('payload'), privateKey);
    expect(verify('sha256', Buffer.from('payload'), publicKey, signature)).toBe(true);
    expect(await a.keys.getVerificationKey('unknown')).toBeUndefined();
  });

  it('refuses an early rotation with 409 too_early and the seconds to wait, then allows it', async () => {
    a.clock.advance(JWKS_MAX_AGE_MS - 120_500);
    const early = await rejection(a.keys.rotate());
    expect(early).toMatchObject({
      code: ErrorCode.TooEarly,
      status: 409,
      details: { retryAfter: 121 },
    });
    expect(early.publicMessage).toMatch(/try again in 121 s/);
    expect(await statuses(dataSource)).toEqual(['active', 'next']);
    a.clock.advance(120_500);
    await expect(a.keys.rotate()).resolves.toBeDefined();
  });

  it('rotates at once when forced', async () => {
    await expect(a.keys.rotate({ force: true })).resolves.toBeDefined();
    expect(await statuses(dataSource)).toEqual(['active', 'next', 'retiring']);
  });

  it('moves next → active, active → retiring and publishes a new next key', async () => {
    const [oldActive, oldNext] = [await kidWithStatus(a, 'active'), await kidWithStatus(a, 'next')];
    a.clock.advance(JWKS_MAX_AGE_MS);
    const result = await a.keys.rotate();
    expect(result.active.kid).toBe(oldNext);
    expect(result.retiring).toMatchObject({
      kid: oldActive,
      status: 'retiring',
      retiredAt: new Date(a.clock.now()).toISOString(),
      verifyUntil: new Date(a.clock.now() + TTL_MS + VERIFY_LEEWAY_MS).toISOString(),
    });
    expect(result.next.kid).not.toBe(oldActive);
    expect((await a.keys.getSigningKey()).kid).toBe(oldNext);
    expect((await a.keys.jwks()).keys.map((key) => key.kid)).toEqual([
      oldNext,
      result.next.kid,
      oldActive,
    ]);
  });

  it('keeps a retiring key verifying until verify_until, then drops and prunes it', async () => {
    const removed = jest.fn();
    a.keys.onKeysRemoved(removed);
    const { retiring } = await a.keys.rotate({ force: true });
    const verifyUntil = Date.parse(retiring.verifyUntil ?? '');
    a.clock.set(verifyUntil - 1);
    expect(await a.keys.getVerificationKey(retiring.kid)).toBeDefined();
    expect((await a.keys.jwks()).keys.map((key) => key.kid)).toContain(retiring.kid);
    a.clock.set(verifyUntil);
    expect(await a.keys.getVerificationKey(retiring.kid)).toBeUndefined();
    expect((await a.keys.jwks()).keys.map((key) => key.kid)).not.toContain(retiring.kid);
    await a.keys.prune();
    expect((await a.keys.list()).map((key) => key.kid)).not.toContain(retiring.kid);
    expect(removed).toHaveBeenCalledWith([retiring.kid]);
  });

  it('revokes a retiring key at once: out of the JWKS, no longer verifying, private part erased', async () => {
    const removed = jest.fn();
    a.keys.onKeysRemoved(removed);
    const { retiring } = await a.keys.rotate({ force: true });
    const listing = await a.keys.revoke(retiring.kid);
    expect(listing).toMatchObject({
      kid: retiring.kid,
      status: 'revoked',
      revokedAt: new Date(a.clock.now()).toISOString(),
    });
    expect(await a.keys.getVerificationKey(retiring.kid)).toBeUndefined();
    expect((await a.keys.jwks()).keys.map((key) => key.kid)).not.toContain(retiring.kid);
    expect(removed).toHaveBeenCalledWith([retiring.kid]);
    const row = await dataSource
      .getRepository(SigningKeyEntity)
      .findOneByOrFail({ kid: retiring.kid });
    expect(row.privateKey).toBe('');
  });

  it('revoking the active key promotes the next key and makes a new next key', async () => {
    const [oldActive, oldNext] = [await kidWithStatus(a, 'active'), await kidWithStatus(a, 'next')];
    await a.keys.revoke(oldActive);
    expect((await a.keys.getSigningKey()).kid).toBe(oldNext);
    expect(await a.keys.getVerificationKey(oldActive)).toBeUndefined();
    expect(await statuses(dataSource)).toEqual(['active', 'next', 'revoked']);
    expect(await kidWithStatus(a, 'next')).not.toBe(oldNext);
  });

  it('revoking the next key replaces it', async () => {
    const oldNext = await kidWithStatus(a, 'next');
    await a.keys.revoke(oldNext);
    expect(await statuses(dataSource)).toEqual(['active', 'next', 'revoked']);
    expect((await a.keys.jwks()).keys.map((key) => key.kid)).not.toContain(oldNext);
  });

  it('answers 404 for an unknown kid and is idempotent for a revoked one', async () => {
    expect(await rejection(a.keys.revoke('nope'))).toMatchObject({
      code: ErrorCode.NotFound,
      status: 404,
    });
    const next = await kidWithStatus(a, 'next');
    const first = await a.keys.revoke(next);
    await expect(a.keys.revoke(next)).resolves.toEqual(first);
    expect(await statuses(dataSource)).toEqual(['active', 'next', 'revoked']);
  });

  it('lists every key with ISO dates', async () => {
    const list = await a.keys.list();
    expect(list).toHaveLength(2);
    expect(list[0]).toEqual({
      kid: expect.any(String),
      status: expect.stringMatching(/^(active|next)$/),
      createdAt: new Date(a.clock.now()).toISOString(),
      publishedAt: new Date(a.clock.now()).toISOString(),
      activatedAt: list[0].status === 'active' ? new Date(a.clock.now()).toISOString() : null,
      retiredAt: null,
      verifyUntil: null,
      revokedAt: null,
    });
  });

  it('stops start-up with a clear error, creating nothing, when the secret is wrong', async () => {
    const other = await keysInstance(dataSource, {
      secret: 'the-wrong-secret-'.padEnd(40, 'w'),
      init: false,
    });
    await expect(other.keys.onModuleInit()).rejects.toThrow(KeyDecryptionError);
    await expect(other.keys.onModuleInit()).rejects.toThrow(
      /KEYS_ENCRYPTION_SECRET: cannot decrypt signing key/,
    );
    expect(await statuses(dataSource)).toEqual(['active', 'next']);
  });
});

describe('KeysService across instances on one database', () => {
  let dataSource: DataSource;
  let a: KeysInstance;
  let b: KeysInstance;

  beforeEach(async () => {
    dataSource = await openSqliteMemory();
    a = await keysInstance(dataSource, { env: { JWKS_MAX_AGE: '60s' } });
    b = await keysInstance(dataSource, { env: { JWKS_MAX_AGE: '60s' }, clock: a.clock });
  });
  afterEach(() => dataSource.destroy());

  it("picks up another instance's rotation within min(JWKS_MAX_AGE, 30 s)", async () => {
    const before = (await a.keys.getSigningKey()).kid;
    const { active } = await b.keys.rotate({ force: true });
    a.clock.advance(29_999);
    expect((await a.keys.getSigningKey()).kid).toBe(before);
    a.clock.advance(1);
    expect((await a.keys.getSigningKey()).kid).toBe(active.kid);
  });

  it("honours another instance's revocation within 5 s, for verifying and for signing", async () => {
    const removed = jest.fn();
    a.keys.onKeysRemoved(removed);
    const revoked = (await a.keys.getSigningKey()).kid;
    await b.keys.revoke(revoked);
    a.clock.advance(4_999);
    expect(await a.keys.getVerificationKey(revoked)).toBeDefined();
    a.clock.advance(1);
    expect(await a.keys.getVerificationKey(revoked)).toBeUndefined();
    expect((await a.keys.getSigningKey()).kid).not.toBe(revoked);
    expect(removed).toHaveBeenCalledWith([revoked]);
  });
});
