import { applyDecorators } from '@nestjs/common';
import {
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiSeeOtherResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';
import { PublicUserResponse } from '../users/users.responses';

const SESSION_ID = 'c4d5e6f7-1a2b-4c3d-8e9f-0a1b2c3d4e5f';
const TIME = '2026-01-05T09:30:00.000Z';

/** An entry of `GET /sessions` (`SessionView`): never the cookie value or its hash. */
export class SessionResponse {
  @ApiProperty({ example: SESSION_ID, description: 'A public handle, not the cookie value.' })
  id!: string;

  @ApiProperty({ example: TIME })
  createdAt!: string;

  @ApiProperty({ example: '2026-01-05T10:12:00.000Z' })
  lastSeenAt!: string;

  @ApiProperty({ example: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0' })
  userAgent!: string;

  @ApiProperty({ example: '203.0.113.7' })
  ip!: string;

  @ApiProperty({ example: true, description: 'Whether it is the session of this request.' })
  current!: boolean;
}

/** The answer to a JSON sign-in and to `GET /session` (`CurrentSessionView`). */
export class CurrentSessionResponse {
  @ApiProperty({ example: SESSION_ID })
  id!: string;

  @ApiProperty({ type: PublicUserResponse })
  user!: PublicUserResponse;

  @ApiProperty({
    example: 'hV3kQ9zL2pW7xR4tN8mB1cJ6fY0sD5gAe2Ku7Xo4Ti',
    description:
      'Send it back as `X-CSRF-Token` on every state-changing request made with the cookie.',
  })
  csrfToken!: string;

  @ApiProperty({ example: TIME })
  createdAt!: string;

  @ApiProperty({
    example: '2026-01-05T10:00:00.000Z',
    description: 'The earlier of the idle and the absolute expiry.',
  })
  expiresAt!: string;
}

/** `POST /session/token`'s answer (`SessionAccessToken`). */
export class SessionAccessTokenResponse {
  @ApiProperty({ example: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjIwMjYtMDEifQ.eyJzdWIiOiIuLi4ifQ.c2ln' })
  accessToken!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  tokenType!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until it expires.' })
  expiresIn!: number;
}

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
