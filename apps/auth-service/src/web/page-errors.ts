import { ErrorCode, KeycardError } from '@keycard/common';
import type { ErrorPageModel } from './error.page';

/** A client error the account page can show inline (bad input, a scope refused, a conflict). */
export function isInlineError(error: unknown): error is KeycardError {
  return (
    error instanceof KeycardError &&
    error.status >= 400 &&
    error.status < 500 &&
    error.status !== 401
  );
}

/** Titles and texts of error pages: generic, never the cause (that goes to the log). */
export function errorPageFor(error: unknown, status: number): ErrorPageModel {
  if (error instanceof KeycardError && error.code === ErrorCode.CsrfFailed) {
    return {
      status,
      title: 'This form has expired',
      message:
        'For your security the action was not carried out. Go back, reload the page and try again.',
    };
  }
  switch (status) {
    case 403:
      return { status, title: 'Not allowed', message: 'You cannot do that with this account.' };
    case 404:
      return { status, title: 'Not found', message: 'There is nothing here, or it is not yours.' };
    case 429:
      return { status, title: 'Too many requests', message: 'Please wait a little and try again.' };
    case 503:
      // A dependency (database, session store) is not answering: say it is temporary.
      return {
        status,
        title: 'Temporarily unavailable',
        message:
          'Signing in and account pages are unavailable for a moment. Nothing was lost: please ' +
          'try again in a minute.',
      };
    default:
      return status < 500
        ? {
            status,
            title: 'That did not work',
            message: 'The request could not be handled. Please try again.',
          }
        : {
            status,
            title: 'Something went wrong',
            message: 'This is on our side. Please try again in a moment.',
          };
  }
}
