/**
 * The parts of `@keycard/common`'s `KeycardError` that tests read. Recognised by name, not by
 * class: libs/common's own specs use this kit, so it cannot import libs/common.
 */
export interface KeycardErrorShape extends Error {
  name: 'KeycardError';
  code: string;
  status: number;
  publicMessage: string | string[];
  reason?: string;
  headers: Record<string, string>;
  details: Record<string, unknown>;
}

/** What a call ended with: the code of the `KeycardError` it threw, or `'ok'` when it succeeded. */
export type Outcome = string;

export function isKeycardError(error: unknown): error is KeycardErrorShape {
  return (
    error instanceof Error &&
    error.name === 'KeycardError' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

function codeOrRethrow(error: unknown): string {
  if (isKeycardError(error)) return error.code;
  throw error;
}

/**
 * The code of the `KeycardError` that `promise` rejects with (or that `run` throws), `'ok'` when it
 * succeeds. Any other error is rethrown, so a crash never passes for a refusal.
 */
export function codeOf(promise: PromiseLike<unknown>): Promise<Outcome>;
export function codeOf(run: () => unknown): Outcome;
export function codeOf(
  subject: PromiseLike<unknown> | (() => unknown),
): Outcome | Promise<Outcome> {
  if (typeof subject !== 'function') {
    return Promise.resolve(subject).then(() => 'ok' as const, codeOrRethrow);
  }
  try {
    subject();
    return 'ok';
  } catch (error) {
    return codeOrRethrow(error);
  }
}

function expectKeycardError(error: unknown, settled: boolean): KeycardErrorShape {
  if (isKeycardError(error)) return error;
  throw new Error(settled ? 'expected a KeycardError, but the call succeeded' : String(error), {
    cause: error,
  });
}

/** The `KeycardError` that `promise` rejects with; a success or any other error fails the test. */
export async function rejection(promise: PromiseLike<unknown>): Promise<KeycardErrorShape> {
  const [error, settled] = await Promise.resolve(promise).then(
    () => [undefined, true] as const,
    (reason: unknown) => [reason, false] as const,
  );
  return expectKeycardError(error, settled);
}

/** The `KeycardError` that `run` throws; a return or any other error fails the test. */
export function thrown(run: () => unknown): KeycardErrorShape {
  try {
    run();
  } catch (error) {
    return expectKeycardError(error, false);
  }
  return expectKeycardError(undefined, true);
}
