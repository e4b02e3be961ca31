import { ApiProperty } from '@nestjs/swagger';
import { ApiEndpoint } from '@keycard/observability';

/** `GET /me/step-up`'s answer. */
export class StepUpResponse {
  @ApiProperty({ example: 'b7e4c1d2-0f3a-4c5b-8e6d-9a1b2c3d4e5f' })
  sub!: string;

  @ApiProperty({ type: [String], example: ['pwd', 'otp', 'mfa'], description: 'RFC 8176.' })
  amr!: string[];

  @ApiProperty({ example: 1796461200, description: '`auth_time`: seconds since the epoch.' })
  authTime!: number;
}

export const ApiStepUp = () =>
  ApiEndpoint({
    summary: 'A route that needs a second factor within the last 10 minutes (RFC 9470 step-up).',
    ok: StepUpResponse,
    errors: {
      401:
        'No or a bad credential; or `insufficient_user_authentication` with `WWW-Authenticate: ' +
        'Bearer error="insufficient_user_authentication"` (and `max_age`) for a sign-in without ' +
        'a second factor or older than 10 minutes.',
      429: 'The API key is over its rate limit.',
    },
  });
