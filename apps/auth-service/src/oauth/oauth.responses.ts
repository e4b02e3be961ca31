import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

/** `POST /oauth/token`'s answer (`OAuthTokenResponse`, RFC 6749 §5.1). */
export class OAuthTokenResponseDoc {
  @ApiProperty({ example: 'eyJhbGciOiJSUzI1NiIsImtpZCI6IjIwMjYtMDEifQ.eyJzdWIiOiIuLi4ifQ.c2ln' })
  access_token!: string;

  @ApiProperty({ enum: ['Bearer'], example: 'Bearer' })
  token_type!: 'Bearer';

  @ApiProperty({ example: 900, description: 'Seconds until the access token expires.' })
  expires_in!: number;

  @ApiPropertyOptional({
    example: '9Jk2vXg3Qm0pL7rT4wZs1eYb8nHc6uFa5dKq2iOx3lMv7tRz0yWb4gNe1jUh6sPc',
    description: 'The rotated refresh token (refresh_token grant only).',
  })
  refresh_token?: string;

  @ApiProperty({ example: 'documents:read', description: 'Space-separated granted scopes.' })
  scope!: string;
}

/**
 * `POST /oauth/introspect`'s answer (RFC 7662): `{active: false}` for any token that does not
 * verify, whatever the reason; the other members only for an active token.
 */
export class IntrospectionResponseDoc {
  @ApiProperty({ example: true })
  active!: boolean;

  @ApiPropertyOptional({
    enum: ['access_token', 'refresh_token', 'api_key'],
    example: 'access_token',
  })
  token_type?: string;

  @ApiPropertyOptional({ example: '0b6f3a52-2f0e-4c1b-9a51-6d2f4e7c8a90' })
  sub?: string;

  @ApiPropertyOptional({ example: 'documents:read documents:write' })
  scope?: string;

  @ApiPropertyOptional({ example: 'svc_Xq3n8JfT2mLw0bVr5Kz7Yg' })
  client_id?: string;

  @ApiPropertyOptional({ example: 1767606300, description: 'Expiry, seconds since the epoch.' })
  exp?: number;

  @ApiPropertyOptional({ example: 1767605400, description: 'Issue time, seconds since the epoch.' })
  iat?: number;
}

const badClient = () =>
  ApiUnauthorizedResponse({
    description: '`invalid_client`: unknown client, wrong secret or revoked client.',
  });

export const ApiOAuthToken = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Issues tokens: refresh_token (rotating) and client_credentials grants (RFC 6749).',
      description:
        'Form-encoded (JSON is accepted too). Clients authenticate with `client_secret_basic` ' +
        'or `client_secret_post`. Errors are `{error, error_description}`.',
    }),
    ApiOkResponse({ type: OAuthTokenResponseDoc }),
    ApiBadRequestResponse({
      description:
        '`invalid_request`, `invalid_grant`, `invalid_scope` or `unsupported_grant_type`.',
    }),
    badClient(),
  );

export const ApiOAuthIntrospect = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Says whether a token is active and what it carries (RFC 7662).',
      description:
        'The caller authenticates as a registered client. `token` may be an access token, a ' +
        'refresh token or an API key. Every kind of failure answers `{active: false}`.',
    }),
    ApiOkResponse({
      type: IntrospectionResponseDoc,
      examples: {
        active: {
          summary: 'An active access token',
          value: {
            active: true,
            token_type: 'access_token',
            sub: '0b6f3a52-2f0e-4c1b-9a51-6d2f4e7c8a90',
            scope: 'documents:read',
            exp: 1767606300,
            iat: 1767605400,
            iss: 'https://auth.example.com',
            roles: ['user'],
          },
        },
        inactive: { summary: 'Any token that does not verify', value: { active: false } },
      },
    }),
    ApiBadRequestResponse({ description: '`invalid_request`: no `token`.' }),
    badClient(),
  );

export const ApiOAuthRevoke = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revokes a refresh token (its family) or an API key (RFC 7009).',
      description:
        'The caller authenticates as a registered client. Unknown tokens are answered 200 too.',
    }),
    ApiOkResponse({ description: 'Revoked, or nothing to revoke; the body is empty (RFC 7009).' }),
    ApiBadRequestResponse({ description: '`invalid_request`: no `token`.' }),
    badClient(),
  );
