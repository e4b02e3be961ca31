import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { ApiKeyEnvironment } from '@keycard/common';
import { ApiEndpoint } from '@keycard/observability';

/** `GET /me`'s answer (`MeView`). */
export class MeResponse {
  @ApiProperty({ example: 'b7e4c1d2-0f3a-4c5b-8e6d-9a1b2c3d4e5f', description: 'The subject.' })
  sub!: string;

  @ApiProperty({ type: [String], example: ['user'] })
  roles!: string[];

  @ApiProperty({
    example: 'documents:read documents:write',
    description: "Space-separated, like the token's `scope` claim.",
  })
  scope!: string;

  @ApiProperty({ enum: ['jwt', 'api_key'], example: 'jwt' })
  authType!: string;

  @ApiPropertyOptional({
    enum: ['live', 'test'],
    example: 'live',
    description: "An API key's environment; absent for a token.",
  })
  environment?: ApiKeyEnvironment;
}

export const ApiMe = () =>
  ApiEndpoint({
    summary: 'Says who is calling: subject, roles, scopes and credential kind.',
    ok: MeResponse,
    errors: {
      401: 'No credentials, or a bad token or API key.',
      429: 'The API key is over its rate limit.',
    },
  });
