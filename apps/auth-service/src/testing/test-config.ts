import { tempDir } from '@keycard/testing';
import type { KeycardSettings } from '../app/settings';
import { loadSettings } from '../app/settings';

/**
 * Real, validated settings for tests: the defaults, a private DATA_DIR (removed when the test file
 * is done), no JSON logs (unless KEYCARD_TEST_LOGS=1), plus `env` overrides.
 */
export function testAuthConfig(env: Record<string, string> = {}): KeycardSettings {
  return loadSettings({
    DATA_DIR: tempDir('keycard-auth-'),
    KEYS_ENCRYPTION_SECRET: 'test-secret-'.padEnd(40, 'x'),
    LOG_LEVEL: process.env['KEYCARD_TEST_LOGS'] === '1' ? 'debug' : 'silent',
    ...env,
  });
}
