import { ConfigError, envDuration, envFraction, envIssuer, envOneOf } from './env';

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

describe('envFraction', () => {
  it('reads a plain decimal in its bounds, with the fallback when unset or blank', () => {
    expect(envFraction({}, 'SHARE', 0.25)).toBe(0.25);
    expect(envFraction({ SHARE: ' ' }, 'SHARE', 0.25)).toBe(0.25);
    expect(envFraction({ SHARE: '0.5' }, 'SHARE', 0.25)).toBe(0.5);
    expect(envFraction({ SHARE: '1' }, 'SHARE', 0.25, 0.01, 1)).toBe(1);
  });

  it.each(['1e-2', '-0.5', '.5', '0,5', 'half', '0x1'])(
    'refuses %j, naming the variable',
    (text) => {
      expect(() => envFraction({ SHARE: text }, 'SHARE', 0.25)).toThrow(
        /^SHARE: must be a decimal/,
      );
    },
  );

  it('refuses a value out of its bounds', () => {
    expect(() => envFraction({ SHARE: '0' }, 'SHARE', 0.25, 0.01, 1)).toThrow(
      'SHARE: must be between 0.01 and 1, got 0',
    );
    expect(() => envFraction({ SHARE: '1.5' }, 'SHARE', 0.25, 0.01, 1)).toThrow(/between/);
  });
});

describe('envDuration', () => {
  it('reads 90, 90s, 15m, 24h, 7d and 500ms as seconds, with the fallback when unset', () => {
    expect(envDuration({}, 'TTL', '5s')).toBe(5);
    expect(envDuration({ TTL: '90' }, 'TTL', '5s')).toBe(90);
    expect(envDuration({ TTL: '15m' }, 'TTL', '5s')).toBe(900);
    expect(envDuration({ TTL: '24h' }, 'TTL', '5s')).toBe(86_400);
    expect(envDuration({ TTL: '7d' }, 'TTL', '5s')).toBe(604_800);
    expect(envDuration({ TTL: '500ms' }, 'TTL', '5s')).toBe(0.5);
  });

  it('names the variable and the bound it breaks', () => {
    expect(() => envDuration({ TTL: 'soon' }, 'TTL', '5s')).toThrow(
      new ConfigError('TTL', 'must be a duration such as 30s, 15m, 24h or 7d, got "soon"'),
    );
    expect(() => envDuration({ TTL: '5s' }, 'TTL', '5s', 10)).toThrow(
      new ConfigError('TTL', 'must be at least 10s'),
    );
    expect(() => envDuration({ TTL: '6m' }, 'TTL', '5s', 0, 300)).toThrow(
      new ConfigError('TTL', 'must be at most 300s'),
    );
    expect(envDuration({ TTL: '5m' }, 'TTL', '5s', 0, 300)).toBe(300);
  });
});

describe('envIssuer', () => {
  it('follows AUTH_PORT and AUTH_HOST when AUTH_ISSUER is unset', () => {
    expect(envIssuer({})).toBe('http://localhost:3000');
    expect(envIssuer({ AUTH_PORT: '4000' })).toBe('http://localhost:4000');
    expect(envIssuer({ AUTH_HOST: '0.0.0.0', AUTH_PORT: '4000' })).toBe('http://localhost:4000');
    expect(envIssuer({ AUTH_HOST: '::' })).toBe('http://localhost:3000');
    expect(envIssuer({ AUTH_HOST: '127.0.0.1', AUTH_PORT: '4000' })).toBe('http://127.0.0.1:4000');
    expect(envIssuer({ AUTH_HOST: '::1' })).toBe('http://[::1]:3000');
  });

  it('takes AUTH_ISSUER as set, whatever the port', () => {
    expect(envIssuer({ AUTH_ISSUER: 'https://auth.example.com/', AUTH_PORT: '4000' })).toBe(
      'https://auth.example.com',
    );
  });

  it('names the variable that is wrong', () => {
    expect(() => envIssuer({ AUTH_PORT: 'x' })).toThrow(ConfigError);
    expect(() => envIssuer({ AUTH_ISSUER: 'ftp://x' })).toThrow(/AUTH_ISSUER/);
  });
});
