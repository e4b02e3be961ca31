import { ErrorCode, KeycardError } from '@keycard/common';
import type { KeycardMetrics } from '../metrics/keycard-metrics';
import { countGuardRefusals, serviceObservability } from './service-app';

function fakeMetrics() {
  const authFailures = { inc: jest.fn() };
  const rateLimited = { inc: jest.fn() };
  return {
    metrics: { authFailures, rateLimited } as unknown as KeycardMetrics,
    authFailures,
    rateLimited,
  };
}

describe('countGuardRefusals', () => {
  it('counts a 401 by its error code, or as unauthorized for any other error', () => {
    const { metrics, authFailures, rateLimited } = fakeMetrics();
    const observe = countGuardRefusals(metrics, 'api_key');
    observe(new KeycardError(ErrorCode.InvalidToken), 401);
    observe(new Error('odd'), 401);
    expect(authFailures.inc.mock.calls).toEqual([
      [{ reason: 'invalid_token' }],
      [{ reason: 'unauthorized' }],
    ]);
    expect(rateLimited.inc).not.toHaveBeenCalled();
  });

  it('counts a 429 under its limiter only when the service has one, and nothing else', () => {
    const limited = fakeMetrics();
    countGuardRefusals(limited.metrics, 'api_key')(new Error('slow down'), 429);
    expect(limited.rateLimited.inc).toHaveBeenCalledWith({ limiter: 'api_key' });
    const unlimited = fakeMetrics();
    const observe = countGuardRefusals(unlimited.metrics);
    observe(new Error('slow down'), 429);
    observe(new Error('nope'), 403);
    expect(unlimited.rateLimited.inc).not.toHaveBeenCalled();
    expect(unlimited.authFailures.inc).not.toHaveBeenCalled();
  });
});

describe('serviceObservability', () => {
  const config = {
    logLevel: 'info',
    metricsToken: 't',
    shutdownDrainMs: 0,
    shutdownTimeoutMs: 0,
  } as const;

  it('keeps the per-request logger off except at debug and trace', () => {
    expect(serviceObservability('x', config)).toEqual({
      service: 'x',
      logLevel: 'info',
      metricsToken: 't',
      requestLogs: false,
      requestContext: false,
    });
    const debug = serviceObservability('x', { ...config, logLevel: 'debug' }, { redisPing: null });
    expect(debug).toMatchObject({ requestLogs: true, requestContext: true, redisPing: null });
  });
});
