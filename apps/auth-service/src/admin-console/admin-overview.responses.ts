import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';

/** Signing keys by status. */
export class SigningKeyCountsResponse {
  @ApiProperty({ example: 1 })
  next!: number;

  @ApiProperty({ example: 1 })
  active!: number;

  @ApiProperty({ example: 1 })
  retiring!: number;

  @ApiProperty({ example: 0 })
  revoked!: number;
}

/** The last hour of this instance, from its Prometheus counters. */
export class LastHourResponse {
  @ApiProperty({ example: '2026-01-05T08:30:00.000Z', description: 'Where the window starts.' })
  since!: string;

  @ApiProperty({
    example: true,
    description: 'Always true (every instance has its metrics registry); kept for compatibility.',
  })
  metricsEnabled!: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { access: 12, refresh: 40, client_credentials: 3 },
    description: 'Tokens and credentials issued, by kind.',
  })
  issued!: Record<string, number>;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { invalid_token: 2 },
    description: 'Refused credentials, by reason.',
  })
  failures!: Record<string, number>;
}

/** `GET /admin/overview`'s answer (`AdminOverview`). */
export class AdminOverviewResponse {
  @ApiProperty({ example: 128 })
  users!: number;

  @ApiProperty({ example: 17 })
  activeSessions!: number;

  @ApiProperty({ type: SigningKeyCountsResponse })
  signingKeys!: SigningKeyCountsResponse;

  @ApiProperty({ type: LastHourResponse })
  lastHour!: LastHourResponse;
}

export const ApiAdminOverview = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Users, live sessions, signing keys by status, and the last hour of this instance',
      description:
        "lastHour comes from this instance's Prometheus counters (keycard_tokens_issued_total by kind, keycard_auth_failures_total by reason), sampled each minute; other instances count their own.",
    }),
    ApiOkResponse({ type: AdminOverviewResponse }),
    ApiAdminErrors(),
  );
