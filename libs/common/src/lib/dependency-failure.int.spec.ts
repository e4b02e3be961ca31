import {
  ClientClosedError,
  ClientOfflineError,
  ErrorReply,
  SocketClosedUnexpectedlyError,
  TimeoutError,
} from 'redis';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import {
  DependencyTimeoutError,
  isDependencyFailure,
  isUnstorableText,
  withDeadline,
} from './dependency-failure';
import { ErrorCode } from './errors';
import { mapError } from './exception.filter';

/** A PostgreSQL error as TypeORM throws it for a failed query, with its SQLSTATE. */
function queryFailed(code: string, message = 'query failed'): QueryFailedError {
  return new QueryFailedError('SELECT 1', [], Object.assign(new Error(message), { code }));
}

function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:5432`), { code });
}

describe('the exception filter and dependency failures', () => {
  it.each<[string, unknown]>([
    ['node-redis: the client is offline (Redis down, reconnecting)', new ClientOfflineError()],
    ['node-redis: the client is closed', new ClientClosedError()],
    [
      'node-redis: socket closed under a command (Redis killed)',
      new SocketClosedUnexpectedlyError(),
    ],
    ['node-redis: its own command timeout', new TimeoutError()],
    ['a Redis command past REDIS_TIMEOUT', new DependencyTimeoutError('redis', 1000)],
    ['a query past DATABASE_TIMEOUT', new DependencyTimeoutError('database', 3000)],
    ['PostgreSQL 57014: statement_timeout', queryFailed('57014', 'canceling statement')],
    ['PostgreSQL 57P01: terminated by administrator', queryFailed('57P01')],
    ['PostgreSQL 57P03: cannot connect now (starting up)', queryFailed('57P03')],
    ['PostgreSQL 08006: connection failure', queryFailed('08006')],
    ['PostgreSQL 08001: cannot establish connection', queryFailed('08001')],
    ['PostgreSQL 53300: too many connections', queryFailed('53300')],
    ['PostgreSQL 55P03: lock_timeout', queryFailed('55P03')],
    ['connection refused (PostgreSQL stopped)', systemError('ECONNREFUSED')],
    ['connection reset', systemError('ECONNRESET')],
    ['pg: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly')],
    ['pg-pool: no connection in time', new Error('timeout exceeded when trying to connect')],
    ['pg: query_timeout', new Error('Query read timeout')],
    [
      'a QueryFailedError wrapping a dropped connection',
      new QueryFailedError('SELECT 1', [], new Error('Connection terminated unexpectedly')),
    ],
    [
      'TypeORM: a transaction whose connection broke (its runner was released)',
      new QueryRunnerAlreadyReleasedError(),
    ],
    [
      'refused on every address of the host (AggregateError)',
      new AggregateError([systemError('ECONNREFUSED'), systemError('ECONNREFUSED')]),
    ],
    [
      'a dependency failure as the cause',
      new Error('wrapped', { cause: new ClientOfflineError() }),
    ],
    [
      'SQLite: database is locked',
      Object.assign(new Error('database is locked'), { code: 'SQLITE_BUSY' }),
    ],
  ])('%s → 503 dependency_unavailable, not 500', (_case, error) => {
    expect(isDependencyFailure(error)).toBe(true);
    const { status, body, headers } = mapError(error);
    expect(status).toBe(503);
    expect(body).toEqual({
      statusCode: 503,
      error: ErrorCode.DependencyUnavailable,
      message: expect.stringContaining('retry shortly'),
    });
    expect(headers['Retry-After']).toBe('5');
    // Nothing of the cause (addresses, SQL, driver text) reaches the client.
    expect(JSON.stringify(body)).not.toMatch(/127\.0\.0\.1|SELECT|ECONN|terminated|57014/);
  });

  it.each<[string, unknown]>([
    ['a programming error', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'PostgreSQL 23505: unique violation (a bug or a conflict, not an outage)',
      queryFailed('23505'),
    ],
    ['PostgreSQL 42P01: undefined table', queryFailed('42P01')],
    ['PostgreSQL 22P02: invalid text representation (our own cast)', queryFailed('22P02')],
    ['a Redis error reply (a bad script)', new ErrorReply('ERR Error compiling script')],
    ['not an Error at all', 'boom'],
    ['null', null],
  ])('%s → still 500 internal', (_case, error) => {
    expect(isDependencyFailure(error)).toBe(false);
    expect(mapError(error)).toMatchObject({ status: 500, body: { error: ErrorCode.Internal } });
  });

  it.each<[string, unknown]>([
    [
      'PostgreSQL 22021: U+0000 in a text parameter',
      queryFailed('22021', 'invalid byte sequence for encoding "UTF8": 0x00'),
    ],
    ['PostgreSQL 22P05: a character the encoding lacks', queryFailed('22P05')],
  ])('%s → 400 validation_failed, without the statement or its message', (_case, error) => {
    expect(isUnstorableText(error)).toBe(true);
    expect(isDependencyFailure(error)).toBe(false);
    const { status, body } = mapError(error);
    expect({ status, body }).toEqual({
      status: 400,
      body: {
        statusCode: 400,
        error: ErrorCode.ValidationFailed,
        message: ['text must not contain the character U+0000'],
      },
    });
  });

  it('withDeadline answers with the value, or a DependencyTimeoutError once the time is up', async () => {
    jest.useFakeTimers();
    try {
      await expect(withDeadline(Promise.resolve('PONG'), 'redis', 1000)).resolves.toBe('PONG');
      const never = withDeadline(new Promise<never>(() => undefined), 'redis', 1000);
      const outcome = never.catch((error: unknown) => error);
      jest.advanceTimersByTime(1000);
      expect(await outcome).toBeInstanceOf(DependencyTimeoutError);
      await expect(
        withDeadline(Promise.reject(new ClientOfflineError()), 'redis', 1000),
      ).rejects.toBeInstanceOf(ClientOfflineError);
    } finally {
      jest.useRealTimers();
    }
  });
});
