import { ConfigError, envDuration, envOneOf, envOptional, type Env } from '@keycard/common';
import type { LevelWithSilent } from 'pino';

const LEVELS: readonly LevelWithSilent[] = [
  'fatal',
  'error',
  'warn',
  'info',
  'debug',
  'trace',
  'silent',
];

/** The observability settings every Keycard service reads from its environment. */
export interface ObservabilityConfig {
  /** `LOG_LEVEL`, default `info`. */
  logLevel: LevelWithSilent;
  /** `METRICS_TOKEN`: when set, `/metrics` needs it as a bearer token. */
  metricsToken: string | undefined;
  /**
   * `SHUTDOWN_DRAIN` (duration, default 5s), in milliseconds for `installGracefulShutdown`: how
   * long the service keeps serving, not ready, after SIGTERM/SIGINT.
   */
  shutdownDrainMs: number;
  /** `SHUTDOWN_TIMEOUT` (duration, default 10s), in milliseconds for `installGracefulShutdown`. */
  shutdownTimeoutMs: number;
}

/**
 * Reads and validates `LOG_LEVEL`, `METRICS_TOKEN`, `SHUTDOWN_DRAIN` and `SHUTDOWN_TIMEOUT` (a
 * `ConfigError` names the variable).
 */
export function loadObservabilityConfig(env: Env): ObservabilityConfig {
  const level = envOneOf(env, 'LOG_LEVEL', LEVELS, 'info');
  const metricsToken = envOptional(env, 'METRICS_TOKEN');
  if (metricsToken !== undefined && metricsToken.length < 16) {
    throw new ConfigError('METRICS_TOKEN', 'must be at least 16 characters');
  }
  return {
    logLevel: level,
    metricsToken,
    shutdownDrainMs: Math.round(envDuration(env, 'SHUTDOWN_DRAIN', '5s', 0, 300) * 1000),
    shutdownTimeoutMs: envDuration(env, 'SHUTDOWN_TIMEOUT', '10s', 1) * 1000,
  };
}
