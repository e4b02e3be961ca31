import { ErrorCode, KeycardError } from '@keycard/common';
import { signInFormPage } from '../sessions/return-path';
import type { FormErrorRedirect } from '../web/form-exception.filter';
import type { LoginErrorCode } from './login.page';

function loginErrorCode(error: unknown, status: number): LoginErrorCode {
  if (error instanceof KeycardError) {
    if (error.code === ErrorCode.InvalidCredentials) return 'invalid_credentials';
    if (error.code === ErrorCode.RateLimited) return 'rate_limited';
    if (error.code === ErrorCode.CsrfFailed) return 'csrf';
    if (error.code === ErrorCode.EmailNotVerified) return 'email_not_verified';
  }
  return status >= 500 ? 'unavailable' : 'invalid_request';
}

function retryAfterOf(error: unknown): number | undefined {
  const value = error instanceof KeycardError ? error.details['retryAfter'] : undefined;
  return typeof value === 'number' ? value : undefined;
}

/**
 * A failed sign-in form: back to its page (`/login`, or the authorization request's own sign-in
 * page) with a fixed error code (and the wait when throttled).
 */
export const toLoginForm: FormErrorRedirect = (error, status, request) => {
  const code = loginErrorCode(error, status);
  const retry = code === 'rate_limited' ? retryAfterOf(error) : undefined;
  const { location } = signInFormPage(request);
  const separator = location.includes('?') ? '&' : '?';
  return `${location}${separator}error=${code}${retry === undefined ? '' : `&retry=${retry}`}`;
};
