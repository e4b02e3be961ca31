import { applyDecorators } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOperation,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

const mailLimit = () =>
  ApiTooManyRequestsResponse({
    description:
      'Asked too often for this address or from this client; `Retry-After` says when to retry.',
  });
const caller = () =>
  applyDecorators(
    ApiUnauthorizedResponse({
      description: 'No credentials, bad ones, or a wrong current password.',
    }),
    ApiForbiddenResponse({
      description:
        "A service client's token or an API key (not a person), or a session cookie without " +
        'its CSRF token.',
    }),
  );

export const ApiVerifyEmail = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Confirms an address (or an e-mail change) with the token from the mailed link.',
    }),
    ApiNoContentResponse({ description: 'Confirmed.' }),
    ApiBadRequestResponse({ description: '`invalid_token`: unknown, used or expired.' }),
  );

export const ApiResendVerification = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Mails a new verification link.',
      description: 'Answers 202 whether or not the address is known; nothing is mailed if not.',
    }),
    ApiAcceptedResponse({ description: 'Accepted.' }),
    mailLimit(),
  );

export const ApiForgotPassword = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Mails a password reset link.',
      description:
        'Answers 202 whether or not the address is known, in about the same time; a newer ' +
        'link voids older ones.',
    }),
    ApiAcceptedResponse({ description: 'Accepted.' }),
    mailLimit(),
  );

export const ApiResetPassword = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Sets a new password with the token from the reset link.',
      description:
        'Signs the user out everywhere. A reset answered `weak_password` does not use up its token.',
    }),
    ApiNoContentResponse({ description: 'Password set.' }),
    ApiBadRequestResponse({ description: '`invalid_token` or `weak_password`.' }),
  );

export const ApiChangePassword = () =>
  applyDecorators(
    ApiOperation({
      summary: "Changes the caller's password.",
      description: 'Every other session and refresh token of the user ends.',
    }),
    ApiNoContentResponse({ description: 'Changed.' }),
    ApiBadRequestResponse({ description: '`weak_password`.' }),
    caller(),
    ApiTooManyRequestsResponse({
      description: 'Too many wrong current passwords; `Retry-After` says when to retry.',
    }),
  );

export const ApiChangeEmail = () =>
  applyDecorators(
    ApiOperation({
      summary: "Asks to change the caller's address; a link is mailed to the new one.",
      description:
        'The address changes when the link is used, and the old address is told. An address ' +
        'already taken still answers 202 and changes nothing.',
    }),
    ApiAcceptedResponse({ description: 'Accepted.' }),
    caller(),
    mailLimit(),
  );
