import { ConfigError, envOneOf } from './env';

describe('envOneOf', () => {
  const MODES = ['always', 'near-limit'] as const;

  it('gives the fallback when unset or blank', () => {
    expect(envOneOf({}, 'MODE', MODES, 'near-limit')).toBe('near-limit');
    expect(envOneOf({ MODE: '  ' }, 'MODE', MODES, 'near-limit')).toBe('near-limit');
  });

  it('accepts an allowed value in any case, trimmed', () => {
    expect(envOneOf({ MODE: ' Always ' }, 'MODE', MODES, 'near-limit')).toBe('always');
  });

  it('names the variable, the allowed values and the value given otherwise', () => {
    expect(() => envOneOf({ MODE: 'sometimes' }, 'MODE', MODES, 'near-limit')).toThrow(
      new ConfigError('MODE', 'must be one of always, near-limit, got "sometimes"'),
    );
  });
});
