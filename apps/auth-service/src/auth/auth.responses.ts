import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { TokenPairResponse } from '../tokens/tokens.responses';
import { PublicUserResponse } from '../users/users.responses';

const tooMany = (what: string) =>
  ApiTooManyRequestsResponse({ description: `${what}; \`Retry-After\` says when to retry.` });
const notAPerson = () =>
  ApiForbiddenResponse({ description: "A service client's token or an API key: not a person." });

export const ApiRegister = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Creates an account with an e-mail address and a password.',
      description:
        'Sends a verification mail. Passwords are 8–128 characters and not a commonly used ' +
        'or breached one.',
    }),
    ApiCreatedResponse({ type: PublicUserResponse }),
    ApiBadRequestResponse({ description: 'A bad e-mail address, or a weak password.' }),
    ApiConflictResponse({ description: 'The address is taken.' }),
    tooMany('Too many registrations from this client'),
  );

export const ApiLogin = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Signs in with an e-mail address and a password, for an access and refresh token.',
      description:
        'An unknown address and a wrong password get the same answer, in about the same time.',
    }),
    ApiOkResponse({ type: TokenPairResponse }),
    ApiUnauthorizedResponse({ description: '`Invalid credentials`.' }),
    ApiForbiddenResponse({
      description: '`email_not_verified`, when `REQUIRE_VERIFIED_EMAIL` is on.',
    }),
    tooMany('Too many failed sign-ins'),
  );

export const ApiRefresh = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Trades a refresh token for a new pair (the old one is used up).',
      description: 'Presenting an already rotated refresh token revokes its whole family.',
    }),
    ApiOkResponse({ type: TokenPairResponse }),
    ApiUnauthorizedResponse({ description: 'Not a live refresh token.' }),
  );

export const ApiLogout = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revokes a refresh token and its family.',
      description: 'Answers 204 for an unknown token too.',
    }),
    ApiNoContentResponse({ description: 'Revoked, or nothing to revoke.' }),
  );

export const ApiLogoutAll = () =>
  applyDecorators(
    ApiOperation({ summary: 'Revokes every refresh token and session of the caller.' }),
    ApiNoContentResponse({ description: 'Signed out everywhere.' }),
    ApiUnauthorizedResponse({ description: 'No credentials, or bad ones.' }),
    notAPerson(),
  );

export const ApiMe = () =>
  applyDecorators(
    ApiOperation({ summary: "Reads the caller's own account." }),
    ApiOkResponse({ type: PublicUserResponse }),
    ApiUnauthorizedResponse({ description: 'No credentials, bad ones, or the user is gone.' }),
    notAPerson(),
  );
