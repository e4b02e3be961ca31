import { ErrorCode, KeycardError } from '@keycard/common';
import { describeError } from '../discovery';

/** 401 invalid_api_key; `reason` is logged, never sent. */
export function invalidApiKey(reason: string): KeycardError {
  return new KeycardError(ErrorCode.InvalidApiKey, { reason });
}

/** A verifier that fails (not the caller's fault) is a 503, never a 500 and never an accept. */
export function unavailable(error: unknown): never {
  if (error instanceof KeycardError) throw error;
  throw new KeycardError(ErrorCode.Unavailable, {
    reason: `API key check failed: ${describeError(error)}`,
  });
}
