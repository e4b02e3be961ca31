import { applyDecorators } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty } from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';
import { AUDIT_OUTCOMES } from './audit-events';

/** One audit event (`AuditEventView`). */
export class AuditEventResponse {
  @ApiProperty({ example: '5d7c8e1f-2a3b-4c5d-9e8f-0a1b2c3d4e5f' })
  id!: string;

  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' })
  at!: string;

  @ApiProperty({ example: 'auth.login.success' })
  type!: string;

  @ApiProperty({ enum: AUDIT_OUTCOMES, example: 'success' })
  outcome!: string;

  @ApiProperty({ type: String, nullable: true, example: '0b6f3a52-2f0e-4c1b-9a51-6d2f4e7c8a90' })
  actorId!: string | null;

  @ApiProperty({
    type: String,
    enum: ['user', 'client', 'api_key', 'system'],
    nullable: true,
    example: 'user',
  })
  actorType!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '0b6f3a52-2f0e-4c1b-9a51-6d2f4e7c8a90' })
  subjectId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '203.0.113.7' })
  ip!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Mozilla/5.0' })
  userAgent!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    example: { method: 'password' },
    description: 'What else the event recorded; never a secret.',
  })
  details!: Record<string, unknown> | null;
}

/** A page of the audit trail (`AuditPage`), newest first. */
export class AuditPageResponse {
  @ApiProperty({ type: [AuditEventResponse] })
  items!: AuditEventResponse[];

  @ApiProperty({ example: 1 })
  page!: number;

  @ApiProperty({ example: 50 })
  pageSize!: number;

  @ApiProperty({
    example: 1,
    description:
      'The events that match, counted up to 1,000 or to the end of the requested page when that is later; see totalCapped.',
  })
  total!: number;

  @ApiProperty({
    example: false,
    description: 'True when more events than total match: counting stopped at total.',
  })
  totalCapped!: boolean;
}

export const ApiListAudit = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Reads the audit trail, newest first, filtered and paged.',
    }),
    ApiOkResponse({ type: AuditPageResponse }),
    ApiAdminErrors(),
  );
