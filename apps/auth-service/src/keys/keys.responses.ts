import { applyDecorators } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
} from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';

const KID = 'q3Zx8Jm2LwT0bVn5Rk7YhA';
const N =
  'u1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0_IzW7yWR7QkrmBL7jTKEn5u-qKhbwKfBstIs-bMY2Zkp18gnTxKLxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW_VDL5AaWTg0nLVkjRo9z-40RQzuVaE8AkAFmxZzow3x-VJYKdjykkJ0iT9wCS0DRTXu269V264Vf_3jvredZiKRkgwlL9xNAwxXFg0x_XFw005UWVRIkdgcKWTjpBP2dPwVZ4WWC-9aGVd-Gyn1o0CLelf4rEjGoXbAAEgAqeGUxrcIlbjXfbcmw';

/** A public signing key as the JWKS publishes it (`PublishedJwk`). */
export class JwkResponse {
  @ApiProperty({ enum: ['RSA'], example: 'RSA' })
  kty!: 'RSA';

  @ApiProperty({ example: N, description: 'The modulus, base64url.' })
  n!: string;

  @ApiProperty({ example: 'AQAB', description: 'The exponent, base64url.' })
  e!: string;

  @ApiProperty({ example: KID })
  kid!: string;

  @ApiProperty({ enum: ['sig'], example: 'sig' })
  use!: 'sig';

  @ApiProperty({ enum: ['RS256'], example: 'RS256' })
  alg!: 'RS256';
}

/** `GET /.well-known/jwks.json`: active key first, then next, then retiring keys. */
export class JwksResponse {
  @ApiProperty({ type: [JwkResponse] })
  keys!: JwkResponse[];
}

/** The authorization-server metadata (`discoveryMetadata`). */
export class DiscoveryResponse {
  @ApiProperty({ example: 'https://auth.example.com' })
  issuer!: string;

  @ApiProperty({ example: 'https://auth.example.com/.well-known/jwks.json' })
  jwks_uri!: string;

  @ApiProperty({ example: 'https://auth.example.com/oauth/token' })
  token_endpoint!: string;

  @ApiProperty({ example: 'https://auth.example.com/oauth/introspect' })
  introspection_endpoint!: string;

  @ApiProperty({ example: 'https://auth.example.com/oauth/revoke' })
  revocation_endpoint!: string;

  @ApiProperty({ example: 'https://auth.example.com/oauth/authorize' })
  authorization_endpoint!: string;

  @ApiProperty({ example: 'https://auth.example.com/oauth/userinfo' })
  userinfo_endpoint!: string;

  @ApiProperty({ example: 'https://auth.example.com/oauth/logout' })
  end_session_endpoint!: string;

  @ApiProperty({
    type: [String],
    example: ['authorization_code', 'refresh_token', 'client_credentials'],
  })
  grant_types_supported!: string[];

  @ApiProperty({ type: [String], example: ['code'] })
  response_types_supported!: string[];

  @ApiProperty({ type: [String], example: ['S256'] })
  code_challenge_methods_supported!: string[];

  @ApiProperty({ type: [String], example: ['sub', 'email', 'email_verified', 'name'] })
  claims_supported!: string[];

  @ApiProperty({ example: true })
  backchannel_logout_supported!: boolean;

  @ApiProperty({ example: true })
  backchannel_logout_session_supported!: boolean;

  @ApiProperty({ example: true })
  authorization_response_iss_parameter_supported!: boolean;

  @ApiProperty({ type: [String], example: ['client_secret_basic', 'client_secret_post'] })
  token_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String], example: ['client_secret_basic', 'client_secret_post'] })
  introspection_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String], example: ['client_secret_basic', 'client_secret_post'] })
  revocation_endpoint_auth_methods_supported!: string[];

  @ApiProperty({ type: [String], example: ['documents:read', 'documents:write'] })
  scopes_supported!: string[];

  @ApiProperty({ type: [String], example: ['public'] })
  subject_types_supported!: string[];

  @ApiProperty({ type: [String], example: ['RS256'] })
  id_token_signing_alg_values_supported!: string[];
}

const TIME = '2026-01-05T09:30:00.000Z';

/** What an admin sees of a signing key (`KeyListing`): never key material. */
export class KeyListingResponse {
  @ApiProperty({ example: KID })
  kid!: string;

  @ApiProperty({ enum: ['next', 'active', 'retiring', 'revoked'], example: 'active' })
  status!: string;

  @ApiProperty({ example: TIME })
  createdAt!: string;

  @ApiProperty({ example: TIME, description: 'When it entered the JWKS.' })
  publishedAt!: string;

  @ApiProperty({ type: String, nullable: true, example: TIME })
  activatedAt!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  retiredAt!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: 'A retiring key verifies until then.',
  })
  verifyUntil!: string | null;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedAt!: string | null;
}

/** `POST /admin/keys/rotate`'s answer (`RotationResult`). */
export class RotationResponse {
  @ApiProperty({ type: KeyListingResponse, description: 'The former next key, now signing.' })
  active!: KeyListingResponse;

  @ApiProperty({ type: KeyListingResponse, description: 'A new key, published before it signs.' })
  next!: KeyListingResponse;

  @ApiProperty({
    type: KeyListingResponse,
    description: 'The former active key, verifying until its tokens have expired.',
  })
  retiring!: KeyListingResponse;
}

const CACHED = 'Cached for `JWKS_MAX_AGE` seconds (`Cache-Control: public`).';

export const ApiJwks = () =>
  applyDecorators(
    ApiOperation({
      summary: "The public keys that verify Keycard's tokens (JWKS).",
      description: `Never a private part. ${CACHED}`,
    }),
    ApiOkResponse({ type: JwksResponse }),
  );

export const ApiOpenIdConfiguration = () =>
  applyDecorators(
    ApiOperation({ summary: 'OpenID Connect discovery document.', description: CACHED }),
    ApiOkResponse({ type: DiscoveryResponse }),
  );

export const ApiAuthorizationServerMetadata = () =>
  applyDecorators(
    ApiOperation({
      summary: 'OAuth 2.0 authorization-server metadata (RFC 8414), the same as discovery.',
      description: CACHED,
    }),
    ApiOkResponse({ type: DiscoveryResponse }),
  );

export const ApiListKeys = () =>
  applyDecorators(
    ApiOperation({ summary: 'Lists the signing keys and their states.' }),
    ApiOkResponse({ type: [KeyListingResponse] }),
    ApiAdminErrors(),
  );

export const ApiRotateKeys = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Rotates the signing keys: next becomes active, active starts retiring.',
      description:
        'A new next key is made. Refused while the next key has been in the JWKS for less ' +
        'than `JWKS_MAX_AGE`, since verifiers may not have it yet, unless `force=true`.',
    }),
    ApiCreatedResponse({ type: RotationResponse }),
    ApiAdminErrors(),
    ApiConflictResponse({
      description:
        '`too_early` with `Retry-After` and `retryAfter` (seconds), or a concurrent rotation ' +
        'won (`conflict`).',
    }),
  );

export const ApiRevokeKey = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revokes a signing key at once (emergency).',
      description: 'It leaves the JWKS and its tokens stop verifying at the auth-service at once.',
    }),
    ApiOkResponse({ type: KeyListingResponse }),
    ApiAdminErrors(),
    ApiNotFoundResponse({ description: 'No signing key has this kid.' }),
  );
