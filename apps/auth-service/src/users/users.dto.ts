import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';

/** Longest address SMTP can deliver to (RFC 5321 path limit). */
export const EMAIL_MAX_LENGTH = 254;
export const PASSWORD_MIN_LENGTH = 8;
/** Bounds the hashing work a single request can ask for. */
export const PASSWORD_MAX_LENGTH = 128;
/**
 * A field that carries a new password is only bounded (a request cannot ask for unbounded work):
 * its length rule and the common-password list are the password policy's (`password-policy.ts`),
 * so every path that sets a password answers `weak_password` alike.
 */
export const NEW_PASSWORD_FIELD_MAX = 1024;
export const ROLE_PATTERN = /^[a-z][a-z0-9:_-]{0,31}$/;

export class RegisterDto {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH })
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MaxLength(NEW_PASSWORD_FIELD_MAX)
  password!: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;
}

export class LoginDto {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH })
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;

  @ApiProperty({ maxLength: PASSWORD_MAX_LENGTH })
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

export class UpdateUserDto {
  @ApiPropertyOptional({
    type: [String],
    maxItems: 20,
    example: ['user', 'admin'],
    description:
      'the whole new list of roles (not `role`); 409 `last_admin` if it would leave no enabled admin',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @Matches(ROLE_PATTERN, { each: true, message: 'each role must match ^[a-z][a-z0-9:_-]{0,31}$' })
  roles?: string[];

  @ApiPropertyOptional({
    description: 'true signs the user out everywhere and revokes their API keys for good',
  })
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class ListUsersQueryDto {
  /** Only users whose e-mail address starts with this, or is this with `emailMatch=exact` (case-insensitive). */
  @ApiPropertyOptional({
    maxLength: EMAIL_MAX_LENGTH,
    example: 'ada@',
    description:
      'the start of the address (case-insensitive; `%` and `_` match themselves), or the whole address with `emailMatch=exact`',
  })
  @IsOptional()
  @IsString()
  @MaxLength(EMAIL_MAX_LENGTH)
  email?: string;

  /** How `email` matches: the start of the address (the default) or all of it. */
  @ApiPropertyOptional({ enum: ['prefix', 'exact'], default: 'prefix' })
  @IsOptional()
  @IsIn(['prefix', 'exact'])
  emailMatch: 'prefix' | 'exact' = 'prefix';

  /**
   * Only users with a word of their e-mail address or name that starts with this
   * (case-insensitive): words start at the start, at one of `` @._+-',/()&`` and right after one,
   * so `acme` finds `bob@acme.com` and `smith` finds `bob.smith@…`. A leading `*` finds the text
   * anywhere (`*mith`), which costs more on a large directory.
   */
  @ApiPropertyOptional({ maxLength: 100, example: 'lovelace' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, default: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 20 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  pageSize = 20;

  /** Keyset paging: the page after the one that answered this `nextCursor`. */
  @ApiPropertyOptional({
    maxLength: 96,
    description:
      'the `nextCursor` of the previous answer: the page after it, without `page` and `total` (400 for any other text; not with `page`)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(96)
  cursor?: string;
}
