import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { AUDIT_OUTCOMES, AuditOutcome } from './audit-events';

/** An event type (`auth.login.failure`) or a prefix of one ending in `.*` (`auth.*`). */
export const AUDIT_TYPE_FILTER = /^[a-z_]+(\.[a-z_]+)*(\.\*)?$/;

/** `GET /admin/audit` query; anything malformed is a 400. */
export class AuditQueryDto {
  @ApiPropertyOptional({
    example: 'auth.*',
    description: 'an event type, or a prefix ending in .*',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  @Matches(AUDIT_TYPE_FILTER, { message: 'type must be an event type or a prefix ending in .*' })
  type?: string;

  @ApiPropertyOptional({ enum: AUDIT_OUTCOMES })
  @IsOptional()
  @IsIn(AUDIT_OUTCOMES)
  outcome?: AuditOutcome;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  actorId?: string;

  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  subjectId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'inclusive' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize = 50;
}
