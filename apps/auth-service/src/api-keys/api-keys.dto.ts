import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import type { ApiKeyEnvironment, ApiKeyType } from '@keycard/common';
import { MAX_API_KEY_RATE_LIMIT, MAX_ROTATION_GRACE_SECONDS } from './api-key-settings';

export const API_KEY_NAME_MAX_LENGTH = 100;
export const MAX_REQUESTED_SCOPES = 50;
/** Lines in one usage report. */
export const MAX_USAGE_REPORTS = 1000;
/** Above what one key can do in a day at the highest rate limit (100000 a minute × 1440). */
export const MAX_USAGE_COUNT = 200_000_000;
const STRICT_ISO = { strict: true, strictSeparator: true };

export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: API_KEY_NAME_MAX_LENGTH })
  @IsString()
  @Length(1, API_KEY_NAME_MAX_LENGTH)
  name!: string;

  @ApiPropertyOptional({ enum: ['sk', 'pk'], default: 'sk', description: 'secret or publishable' })
  @IsOptional()
  @IsIn(['sk', 'pk'])
  type?: ApiKeyType;

  @ApiPropertyOptional({ enum: ['live', 'test'], default: 'live' })
  @IsOptional()
  @IsIn(['live', 'test'])
  environment?: ApiKeyEnvironment;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_REQUESTED_SCOPES })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_REQUESTED_SCOPES)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  scopes?: string[];

  /** ISO 8601 date-time; must be in the future. */
  @ApiPropertyOptional({ format: 'date-time', description: 'must be in the future' })
  @IsOptional()
  @IsISO8601(STRICT_ISO)
  expiresAt?: string;

  /** Requests a minute. */
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_API_KEY_RATE_LIMIT,
    description: 'requests a minute',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_API_KEY_RATE_LIMIT)
  rateLimit?: number;
}

export class RotateApiKeyDto {
  /** How long the old key keeps working; default one day. */
  @ApiPropertyOptional({ minimum: 0, maximum: MAX_ROTATION_GRACE_SECONDS, default: 86400 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_ROTATION_GRACE_SECONDS)
  graceSeconds?: number;
}

export class ApiKeyUsageReportDto {
  @IsUUID()
  keyId!: string;

  /** `YYYY-MM-DD`, UTC (a real calendar day). */
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  @IsISO8601({ strict: true })
  day!: string;

  @IsInt()
  @Min(0)
  @Max(MAX_USAGE_COUNT)
  count!: number;

  /** ISO 8601 date-time of the last request seen with the key. */
  @IsISO8601(STRICT_ISO)
  lastUsedAt!: string;
}

export class ApiKeyUsageReportsDto {
  @IsArray()
  @ArrayMaxSize(MAX_USAGE_REPORTS)
  @ValidateNested({ each: true })
  @Type(() => ApiKeyUsageReportDto)
  reports!: ApiKeyUsageReportDto[];
}
