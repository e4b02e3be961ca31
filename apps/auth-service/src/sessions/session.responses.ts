import { ApiProperty } from '@nestjs/swagger';
import { PublicUserResponse } from '../users/users.responses';

/* OpenAPI shapes of the session views (`session-views.ts`), shared by every sign-in route. */

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
