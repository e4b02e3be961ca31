import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ApiEndpoint, type ApiErrors } from '@keycard/observability';
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

/** What the owner's routes answer when the caller may not manage keys, plus `extra`. */
const ownerErrors = (extra: ApiErrors = {}): ApiErrors => ({
  401: 'No credentials, or bad ones.',
  403:
    'An API key or a service client: only a signed-in user manages API keys (or a session ' +
    'cookie without its CSRF token).',
  ...extra,
});
const NOT_FOUND = 'No key with this id belongs to the caller.';

export const ApiCreateApiKey = () =>
  ApiEndpoint({
    summary: 'Creates an API key for the caller.',
    description:
      'Format `{type}_{environment}_{random}{checksum}`. A publishable key gets read-only ' +
      'scopes only. The key is shown in this answer only.',
    created: CreatedApiKeyResponse,
    errors: ownerErrors({ 400: 'A bad name, scope, expiry or rate limit.' }),
  });

export const ApiListApiKeys = () =>
  ApiEndpoint({
    summary: "Lists the caller's API keys, without their secrets.",
    ok: [ApiKeyResponse],
    errors: ownerErrors(),
  });

export const ApiRotateApiKey = () =>
  ApiEndpoint({
    summary: 'Replaces an API key with a new one.',
    description: 'The old key keeps working for `graceSeconds` (default 86400), then stops.',
    created: CreatedApiKeyResponse,
    errors: ownerErrors({ 404: NOT_FOUND, 409: 'Only an active API key can be rotated.' }),
  });

export const ApiRevokeApiKey = () =>
  ApiEndpoint({
    summary: "Revokes one of the caller's API keys at once.",
    noContent: 'Revoked (also when it already was).',
    errors: ownerErrors({ 404: NOT_FOUND }),
  });

export const ApiApiKeyUsage = () =>
  ApiEndpoint({
    summary: "Counts the requests made with one of the caller's keys, per day.",
    ok: ApiKeyUsageResponse,
    errors: ownerErrors({ 404: NOT_FOUND }),
  });

export const ApiReportApiKeyUsage = () =>
  ApiEndpoint({
    summary: 'Adds batched API-key usage from a resource service.',
    description:
      'HTTP Basic client authentication (`client_secret_basic`); the client needs the ' +
      '`usage:report` scope.',
    noContent: 'Recorded.',
    errors: {
      401: '`invalid_client`: bad client credentials.',
      403: '`insufficient_scope`: the client lacks `usage:report`.',
    },
  });

export const ApiAdminListApiKeys = () =>
  applyDecorators(
    ApiEndpoint({
      summary: "A user's API keys, newest first (empty for an unknown user)",
      ok: [ApiKeyResponse],
    }),
    ApiAdminErrors(),
  );

export const ApiAdminRevokeApiKey = () =>
  applyDecorators(
    ApiEndpoint({
      summary: "Revokes one of the user's API keys at once (audited: api_key.revoked)",
      description:
        'Resource services that cache key answers accept the key until their API_KEY_CACHE_TTL ends.',
      noContent: 'Revoked (also when it already was)',
      errors: { 404: 'No such key of this user' },
    }),
    ApiAdminErrors(),
  );
