import { ConfigError } from '@keycard/common';
import { loadObservabilityConfig } from './config';

describe('loadObservabilityConfig', () => {
  it('defaults to info, no metrics token, a 5 s drain and a 10 s shutdown', () => {
    expect(loadObservabilityConfig({})).toEqual({
      logLevel: 'info',
      metricsToken: undefined,
      shutdownDrainMs: 5_000,
      shutdownTimeoutMs: 10_000,
    });
  });

  it('reads LOG_LEVEL (any case, silent included), METRICS_TOKEN, SHUTDOWN_DRAIN and SHUTDOWN_TIMEOUT', () => {
    expect(
      loadObservabilityConfig({
        LOG_LEVEL: 'SILENT',
        METRICS_TOKEN: 'a-long-metrics-token',
        SHUTDOWN_DRAIN: '250ms',
        SHUTDOWN_TIMEOUT: '30s',
      }),
    ).toEqual({
      logLevel: 'silent',
      metricsToken: 'a-long-metrics-token',
      shutdownDrainMs: 250,
      shutdownTimeoutMs: 30_000,
    });
  });

  it.each([
    ['LOG_LEVEL', { LOG_LEVEL: 'verbose' }],
    ['METRICS_TOKEN', { METRICS_TOKEN: 'short' }],
    ['SHUTDOWN_DRAIN', { SHUTDOWN_DRAIN: 'a while' }],
    ['SHUTDOWN_DRAIN', { SHUTDOWN_DRAIN: '10m' }],
    ['SHUTDOWN_TIMEOUT', { SHUTDOWN_TIMEOUT: 'soon' }],
  ])('names %s when it is invalid', (variable, env) => {
    expect(() => loadObservabilityConfig(env)).toThrow(ConfigError);
    expect(() => loadObservabilityConfig(env)).toThrow(new RegExp(`^${variable}:`));
  });
});
