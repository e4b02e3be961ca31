import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuthSettings } from '../config/auth.config';
import { loadAuthConfig } from '../config/auth.config';

/**
 * Real, validated settings for tests: the defaults, a private DATA_DIR, no JSON logs (unless
 * KEYCARD_TEST_LOGS=1), plus `env` overrides.
 */
export function testAuthConfig(env: Record<string, string> = {}): AuthSettings {
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-auth-'));
  return loadAuthConfig({
    DATA_DIR: dataDir,
    KEYS_ENCRYPTION_SECRET: 'test-secret-'.padEnd(40, 'x'),
    LOG_LEVEL: process.env['KEYCARD_TEST_LOGS'] === '1' ? 'debug' : 'silent',
    ...env,
  });
}
