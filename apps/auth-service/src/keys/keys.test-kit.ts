import { ManualClock, randomToken } from '@keycard/common';
import { DataSource } from 'typeorm';
import type { AuthSettings } from '../config/auth.config';
import { testAuthConfig } from '../testing/test-config';
import type { Recorders } from '../testing/test-recorders';
import { RECORDER_ENTITIES, testRecorders } from '../testing/test-recorders';
import { KeyCipher } from './key-cipher';
import { KeyLifecycle } from './key-lifecycle';
import type { GeneratedKey } from './key-material';
import { KeyGenerator } from './key-material';
import { KeysService } from './keys.service';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeyStore } from './signing-key.store';

/*
 * Test-only wiring of the keys services without Nest, for specs that need many instances quickly.
 * Not imported by the app.
 */

export const TEST_SECRET = 'keys-test-secret-'.padEnd(48, 'k');

const ciphers = new Map<string, Promise<KeyCipher>>();

/** One cipher per secret per test file: the scrypt derivation is deliberately slow. */
export function testCipher(secret = TEST_SECRET): Promise<KeyCipher> {
  let cipher = ciphers.get(secret);
  if (!cipher) {
    cipher = KeyCipher.fromSecret(secret, 'the test secret');
    ciphers.set(secret, cipher);
  }
  return cipher;
}

/**
 * Hands out a few pre-made RSA key pairs under fresh kids: a real 2048-bit generation costs a few
 * hundred milliseconds, which unit specs do not need to pay every time. Integration specs use the
 * real KeyGenerator.
 */
export class PooledKeyGenerator extends KeyGenerator {
  private static pool?: Promise<GeneratedKey[]>;
  private static taken = 0;

  override async generate(): Promise<GeneratedKey> {
    PooledKeyGenerator.pool ??= Promise.all(
      Array.from({ length: 4 }, () => new KeyGenerator().generate()),
    );
    const pool = await PooledKeyGenerator.pool;
    const key = pool[PooledKeyGenerator.taken++ % pool.length];
    return { ...key, kid: randomToken(16) };
  }
}

export function openSqliteMemory(): Promise<DataSource> {
  return new DataSource({
    type: 'better-sqlite3',
    database: ':memory:',
    entities: [SigningKeyEntity, ...RECORDER_ENTITIES],
    synchronize: true,
  }).initialize();
}

export interface KeysInstance {
  clock: ManualClock;
  config: AuthSettings;
  store: SigningKeyStore;
  lifecycle: KeyLifecycle;
  keys: KeysService;
  /** The audit trail, metrics and revocation log this instance writes to. */
  recorders: Recorders;
}

export interface InstanceOptions {
  env?: Record<string, string>;
  clock?: ManualClock;
  secret?: string;
  /** Skip `onModuleInit` (to start several instances at once, or to expect it to fail). */
  init?: boolean;
  /** Default: pre-made keys (`PooledKeyGenerator`). */
  generator?: KeyGenerator;
}

/** A KeysService as one auth-service instance would have it, on the given database. */
export async function keysInstance(
  dataSource: DataSource,
  options: InstanceOptions = {},
): Promise<KeysInstance> {
  const clock = options.clock ?? new ManualClock();
  const config = testAuthConfig({ JWKS_MAX_AGE: '300s', ACCESS_TOKEN_TTL: '15m', ...options.env });
  const cipher = await testCipher(options.secret);
  const store = new SigningKeyStore(dataSource);
  const lifecycle = new KeyLifecycle(
    store,
    cipher,
    options.generator ?? new PooledKeyGenerator(),
    clock,
    config,
  );
  const recorders = testRecorders(dataSource, clock, config);
  const keys = new KeysService(lifecycle, store, cipher, clock, config, recorders.revocations);
  if (options.init !== false) await keys.onModuleInit();
  return { clock, config, store, lifecycle, keys, recorders };
}

/** The statuses in the table, sorted, e.g. `['active', 'next', 'retiring']`. */
export async function statuses(dataSource: DataSource): Promise<string[]> {
  const rows = await dataSource.getRepository(SigningKeyEntity).find();
  return rows.map((row) => row.status).sort();
}
