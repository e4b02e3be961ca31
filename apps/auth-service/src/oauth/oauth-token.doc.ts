import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * The `POST /oauth/token` body as the OpenAPI document shows it. Documentation only: the body is
 * parsed by `OAuthParams` (not the ValidationPipe) so that errors keep their RFC 6749 codes.
 */
export class OAuthTokenRequestDoc {
  @ApiProperty({ enum: ['client_credentials', 'refresh_token'] })
  grant_type!: string;

  @ApiPropertyOptional({
    description:
      'space-separated; client_credentials only narrows, refresh_token must repeat the granted scope',
  })
  scope?: string;

  @ApiPropertyOptional({ description: 'refresh_token grant' })
  refresh_token?: string;

  @ApiPropertyOptional({
    description: 'client_secret_post; prefer HTTP Basic (client_secret_basic)',
  })
  client_id?: string;

  @ApiPropertyOptional()
  client_secret?: string;
}
