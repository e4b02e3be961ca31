import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength } from 'class-validator';

export class GoogleExchangeDto {
  /** The one-time hand-off code: 32 random bytes in base64url. */
  @ApiProperty({
    pattern: '^[A-Za-z0-9_-]{43}$',
    description: 'the one-time code the callback added to returnTo',
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/)
  code!: string;
}

/** The password step of `/auth/google/link` (a form: the account's password and `_csrf`). */
export class GoogleLinkDto {
  @IsString()
  @MaxLength(128)
  password!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;
}
