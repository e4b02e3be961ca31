import { loadObservabilityConfig } from '@keycard/observability';
import { runInRequest } from '../audit/audit-context';
import type { AuthSettings } from '../config/auth.config';
import { authObservability } from './auth-observability';

function settings(logLevel: string): AuthSettings {
  return { observability: loadObservabilityConfig({ LOG_LEVEL: logLevel }) } as AuthSettings;
}

describe('authObservability', () => {
  it('writes no line per request at info, and names the current request on its own lines', () => {
    const options = authObservability(settings('info'), null);
    expect(options).toMatchObject({
      service: 'auth-service',
      logLevel: 'info',
      requestLogs: false,
      requestContext: false,
    });
    const idOf = options.currentRequestId;
    expect(idOf).toBeDefined();
    expect(runInRequest({ id: 'req-42', headers: {} }, () => idOf?.())).toBe('req-42');
    expect(idOf?.()).toBeUndefined();
  });

  it.each(['debug', 'trace'])('logs every request at %s', (level) => {
    expect(authObservability(settings(level), null)).toMatchObject({
      requestLogs: true,
      requestContext: true,
    });
  });
});
