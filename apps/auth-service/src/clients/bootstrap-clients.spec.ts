import { ConfigError } from '@keycard/common';
import { parseBootstrapClients } from './bootstrap-clients';

const SECRET = 'a-long-enough-secret';

describe('parseBootstrapClients', () => {
  it('reads nothing from a blank value', () => {
    expect(parseBootstrapClients('')).toEqual([]);
    expect(parseBootstrapClients('  ,  ')).toEqual([]);
  });

  it('reads id:secret and id:secret:scopes entries, comma-separated', () => {
    expect(
      parseBootstrapClients(
        `resource-service:${SECRET}:documents:read documents:write, batch.job:${SECRET}, reports:${SECRET}:`,
      ),
    ).toEqual([
      {
        clientId: 'resource-service',
        clientSecret: SECRET,
        scopes: ['documents:read', 'documents:write'],
      },
      { clientId: 'batch.job', clientSecret: SECRET, scopes: [] },
      { clientId: 'reports', clientSecret: SECRET, scopes: [] },
    ]);
  });

  it('keeps scopes containing colons whole, and drops repeated scopes and extra spaces', () => {
    expect(parseBootstrapClients(`svc:${SECRET}:a:b:c  a:b:c   x`)).toEqual([
      { clientId: 'svc', clientSecret: SECRET, scopes: ['a:b:c', 'x'] },
    ]);
  });

  it('accepts secrets with punctuation other than the separators', () => {
    const secret = 'p@ss+w%rd/with=chars!';
    expect(parseBootstrapClients(`svc:${secret}`)[0].clientSecret).toBe(secret);
  });

  it.each([
    ['no secret', 'svc', /entry 1 has no secret/],
    ['an empty id', `:${SECRET}`, /invalid client id/],
    ['an id with a space', `my svc:${SECRET}`, /invalid client id/],
    ['an id that is too long', `${'a'.repeat(129)}:${SECRET}`, /invalid client id/],
    ['an empty secret', 'svc:', /secret of 16 to 256/],
    ['a short secret', 'svc:short', /secret of 16 to 256/],
    ['a secret with a space', 'svc:abcdefgh ijklmnop', /not allowed/],
    ['an invalid scope', `svc:${SECRET}:ok bad"scope`, /invalid scope/],
    ['a second malformed entry', `a:${SECRET},b`, /entry 2 has no secret/],
    ['a repeated id', `a:${SECRET},a:${SECRET}x`, /lists the client id a twice/],
  ])('refuses %s with a ConfigError naming BOOTSTRAP_CLIENTS', (_case, raw, message) => {
    let error: unknown;
    try {
      parseBootstrapClients(raw);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe('BOOTSTRAP_CLIENTS');
    expect((error as ConfigError).message).toMatch(message);
  });

  it('never puts a secret in the error message', () => {
    const secret = 'super-secret-value-1234';
    expect(() => parseBootstrapClients(`svc:${secret}:bad\\scope`)).toThrow(ConfigError);
    try {
      parseBootstrapClients(`svc:${secret}:bad\\scope`);
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
