import { tempDir } from '@keycard/testing';
import type { AuthSettings } from '../config/auth.config';
import { loadAuthConfig } from '../config/auth.config';

/**
 * Real, validated settings for tests: the defaults, a private DATA_DIR (removed when the test file
 * is done), no JSON logs (unless KEYCARD_TEST_LOGS=1), plus `env` overrides.
 */
export function testAuthConfig(env: Record<string, string> = {}): AuthSettings {
  return loadAuthConfig({
    DATA_DIR: tempDir('keycard-auth-'),
    KEYS_ENCRYPTION_SECRET: 'test-secret-'.padEnd(40, 'x'),
    LOG_LEVEL: process.env['KEYCARD_TEST_LOGS'] === '1' ? 'debug' : 'silent',
    ...env,
  });
}
