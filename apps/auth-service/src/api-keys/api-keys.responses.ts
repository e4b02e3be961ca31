import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';

const KEY_ID = '7a1e2b3c-4d5f-4a6b-8c9d-0e1f2a3b4c5d';
const TIME = '2026-01-05T09:30:00.000Z';

/** What every answer about a key shows. */
class ApiKeyBaseResponse {
  @ApiProperty({ example: KEY_ID })
  id!: string;

  @ApiProperty({ example: 'CI deploys' })
  name!: string;

  @ApiProperty({ example: 'sk_live_kY9p', description: 'The start of the key, to recognise it.' })
  prefix!: string;

  @ApiProperty({ enum: ['sk', 'pk'], example: 'sk', description: 'Secret or publishable.' })
  type!: string;

  @ApiProperty({ enum: ['live', 'test'], example: 'live' })
  environment!: string;

  @ApiProperty({ type: [String], example: ['documents:read'] })
  scopes!: string[];

  @ApiProperty({ example: TIME })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  expiresAt!: string | null;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: null,
    description: 'Requests a minute; null for the default (`API_KEY_RATE_LIMIT`).',
  })
  rateLimit!: number | null;
}

/** A key as its owner sees it in lists (`ApiKeyView`): never the key or its hash. */
export class ApiKeyResponse extends ApiKeyBaseResponse {
  @ApiProperty({ type: String, nullable: true, example: TIME })
  lastUsedAt!: string | null;

  @ApiProperty({
    enum: ['active', 'expiring', 'expired', 'revoked'],
    example: 'active',
    description: '`expiring`: rotated, still working until the end of its grace period.',
  })
  status!: string;
}

/** The answer to a create or rotate (`CreatedApiKey`): the only time `key` is shown. */
export class CreatedApiKeyResponse extends ApiKeyBaseResponse {
  @ApiProperty({
    example: 'sk_live_kY9pF34Qy6nB3Wwd25rq4f5zr3QA7YeEEBY3ABp3e2zS8iq9y',
    description: 'The key itself, shown in this answer only.',
  })
  key!: string;
}

/** Requests made with a key on one UTC day. */
export class ApiKeyUsageDayResponse {
  @ApiProperty({ example: '2026-01-05', description: '`YYYY-MM-DD`, UTC.' })
  day!: string;

  @ApiProperty({ example: 314 })
  count!: number;
}

/** `GET /api-keys/:id/usage`'s answer (`ApiKeyUsageView`). */
export class ApiKeyUsageResponse {
  @ApiProperty({ example: KEY_ID })
  id!: string;

  @ApiProperty({ type: [ApiKeyUsageDayResponse] })
  days!: ApiKeyUsageDayResponse[];
}

const ownerErrors = () =>
  applyDecorators(
    ApiUnauthorizedResponse({ description: 'No credentials, or bad ones.' }),
    ApiForbiddenResponse({
      description:
        'An API key or a service client: only a signed-in user manages API keys (or a session ' +
        'cookie without its CSRF token).',
    }),
  );
const notFound = () =>
  ApiNotFoundResponse({ description: 'No key with this id belongs to the caller.' });

export const ApiCreateApiKey = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Creates an API key for the caller.',
      description:
        'Format `{type}_{environment}_{random}{checksum}`. A publishable key gets read-only ' +
        'scopes only. The key is shown in this answer only.',
    }),
    ApiCreatedResponse({ type: CreatedApiKeyResponse }),
    ApiBadRequestResponse({ description: 'A bad name, scope, expiry or rate limit.' }),
    ownerErrors(),
  );

export const ApiListApiKeys = () =>
  applyDecorators(
    ApiOperation({ summary: "Lists the caller's API keys, without their secrets." }),
    ApiOkResponse({ type: [ApiKeyResponse] }),
    ownerErrors(),
  );

export const ApiRotateApiKey = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Replaces an API key with a new one.',
      description: 'The old key keeps working for `graceSeconds` (default 86400), then stops.',
    }),
    ApiCreatedResponse({ type: CreatedApiKeyResponse }),
    ownerErrors(),
    notFound(),
    ApiConflictResponse({ description: 'Only an active API key can be rotated.' }),
  );

export const ApiRevokeApiKey = () =>
  applyDecorators(
    ApiOperation({ summary: "Revokes one of the caller's API keys at once." }),
    ApiNoContentResponse({ description: 'Revoked (also when it already was).' }),
    ownerErrors(),
    notFound(),
  );

export const ApiApiKeyUsage = () =>
  applyDecorators(
    ApiOperation({ summary: "Counts the requests made with one of the caller's keys, per day." }),
    ApiOkResponse({ type: ApiKeyUsageResponse }),
    ownerErrors(),
    notFound(),
  );

export const ApiReportApiKeyUsage = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Adds batched API-key usage from a resource service.',
      description:
        'HTTP Basic client authentication (`client_secret_basic`); the client needs the ' +
        '`usage:report` scope.',
    }),
    ApiNoContentResponse({ description: 'Recorded.' }),
    ApiUnauthorizedResponse({ description: '`invalid_client`: bad client credentials.' }),
    ApiForbiddenResponse({ description: '`insufficient_scope`: the client lacks `usage:report`.' }),
  );

export const ApiAdminListApiKeys = () =>
  applyDecorators(
    ApiOperation({ summary: "A user's API keys, newest first (empty for an unknown user)" }),
    ApiOkResponse({ type: [ApiKeyResponse] }),
    ApiAdminErrors(),
  );

export const ApiAdminRevokeApiKey = () =>
  applyDecorators(
    ApiOperation({
      summary: "Revokes one of the user's API keys at once (audited: api_key.revoked)",
      description:
        'Resource services that cache key answers accept the key until their API_KEY_CACHE_TTL ends.',
    }),
    ApiNoContentResponse({ description: 'Revoked (also when it already was)' }),
    ApiAdminErrors(),
    ApiNotFoundResponse({ description: 'No such key of this user' }),
  );
