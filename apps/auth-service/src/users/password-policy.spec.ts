import { ConfigError, ErrorCode, KeycardError } from '@keycard/common';
import { loadSettings } from '../app/settings';
import { assertAcceptablePassword, passwordWeakness } from './password-policy';

describe('password policy (a list check, not a strength score)', () => {
  it.each([
    ['a common password', 'password1'],
    ['a common password in other case', 'PassWord1'],
    ['a common password in capitals', 'QWERTYUIOP'],
    ['a famous breached one', 'iloveyou'],
    ['a long digit run', '123456789'],
    ['7 characters', 'kT9#qz!'],
    ['129 characters', 'k'.repeat(129)],
    ['empty', ''],
  ])('refuses %s with 400 weak_password', (_name, password) => {
    expect(passwordWeakness(password)).toBeDefined();
    let error: unknown;
    try {
      assertAcceptablePassword(password);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(KeycardError);
    expect((error as KeycardError).code).toBe(ErrorCode.WeakPassword);
    expect((error as KeycardError).status).toBe(400);
  });

  it.each([
    ['a random-looking 8-character password', 'kT9#qz!w'],
    ['a passphrase', 'correct horse battery staple'],
    ['128 characters', 'k'.repeat(127) + 'x'],
    ['8 characters counted as code points', '🔑🔑🔑🔑🔑🔑🔑🔑'],
  ])('accepts %s', (_name, password) => {
    expect(passwordWeakness(password)).toBeUndefined();
    expect(() => assertAcceptablePassword(password)).not.toThrow();
  });
});

describe('the bootstrap admin password', () => {
  const env = (password: string) => ({
    BOOTSTRAP_ADMIN_EMAIL: 'admin@example.test',
    BOOTSTRAP_ADMIN_PASSWORD: password,
  });

  it.each(['Password123', 'short'])(
    '%s stops start-up with one line naming the setting',
    (password) => {
      expect(() => loadSettings(env(password))).toThrow(ConfigError);
      expect(() => loadSettings(env(password))).toThrow(/^BOOTSTRAP_ADMIN_PASSWORD/);
    },
  );

  it('is accepted when it is not a common password', () => {
    expect(loadSettings(env('kT9#qz!w-admin')).bootstrapAdmin?.password).toBe('kT9#qz!w-admin');
  });
});
