import { applyDecorators } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiSeeOtherResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';
import {
  CurrentSessionResponse,
  SessionAccessTokenResponse,
  SessionResponse,
} from '../sessions/session.responses';

const needsCookie = () =>
  ApiForbiddenResponse({ description: 'Not authenticated by the browser session cookie.' });
const personErrors = () =>
  applyDecorators(
    ApiUnauthorizedResponse({ description: 'No credentials, or bad ones.' }),
    ApiForbiddenResponse({
      description:
        "An API key or a service client (sessions are a person's), or a session cookie " +
        'without its CSRF token.',
    }),
  );

export const ApiSessionLogin = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Signs in with an e-mail address and a password, setting the session cookie.',
      description:
        'JSON gets 200 and the session; a form post is redirected (303) to `/account`. Always ' +
        'a new session (new id and cookie). Same throttling as `/auth/login`.',
    }),
    ApiOkResponse({ type: CurrentSessionResponse, description: 'Signed in (JSON).' }),
    ApiSeeOtherResponse({ description: 'Signed in, or refused (form post).' }),
    ApiUnauthorizedResponse({ description: '`Invalid credentials`.' }),
    ApiForbiddenResponse({
      description:
        'The sign-in CSRF check failed, or `email_not_verified` when `REQUIRE_VERIFIED_EMAIL` is on.',
    }),
    ApiTooManyRequestsResponse({
      description: 'Too many failed sign-ins; `Retry-After` says when to retry.',
    }),
  );

export const ApiSessionLogout = () =>
  applyDecorators(
    ApiOperation({
      summary: "Ends the cookie's session and clears the cookie.",
      description: 'CSRF-checked when there is a live session. A form post is redirected (303).',
    }),
    ApiNoContentResponse({ description: 'Signed out (JSON), also without a session.' }),
    ApiSeeOtherResponse({ description: 'Signed out (form post), to `/login?signed_out=1`.' }),
    ApiForbiddenResponse({ description: 'The CSRF check failed.' }),
  );

export const ApiCurrentSession = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The current browser session, with the CSRF token an SPA needs after a reload.',
    }),
    ApiOkResponse({ type: CurrentSessionResponse }),
    ApiUnauthorizedResponse({ description: 'No credentials, or bad ones.' }),
    needsCookie(),
  );

export const ApiSessionToken = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Issues an access token for the signed-in user of this session (BFF or SPA).',
      description: "The token's `sid` is the session's public id.",
    }),
    ApiOkResponse({ type: SessionAccessTokenResponse }),
    ApiUnauthorizedResponse({ description: 'No credentials, or bad ones.' }),
    ApiForbiddenResponse({
      description: 'Not authenticated by the session cookie, or no CSRF token.',
    }),
  );

export const ApiListSessions = () =>
  applyDecorators(
    ApiOperation({ summary: "Lists the caller's live sessions." }),
    ApiOkResponse({ type: [SessionResponse] }),
    personErrors(),
  );

export const ApiRevokeSession = () =>
  applyDecorators(
    ApiOperation({ summary: "Ends one of the caller's sessions at once." }),
    ApiNoContentResponse({ description: 'Ended.' }),
    personErrors(),
    ApiNotFoundResponse({ description: "No such session, or someone else's." }),
  );

export const ApiAdminListSessions = () =>
  applyDecorators(
    ApiOperation({ summary: "A user's live sessions, newest first (empty for an unknown user)" }),
    ApiOkResponse({ type: [SessionResponse] }),
    ApiAdminErrors(),
  );

export const ApiAdminRevokeSession = () =>
  applyDecorators(
    ApiOperation({ summary: "Ends one of the user's sessions at once (audited: session.revoked)" }),
    ApiNoContentResponse({ description: 'Ended' }),
    ApiAdminErrors(),
    ApiNotFoundResponse({ description: 'No such session of this user' }),
  );
