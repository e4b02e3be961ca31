import { IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * The account pages' forms as posted. Loose on purpose: a missing or bad field is answered on the
 * page itself by the same checks the JSON API makes, never with a bare 400.
 */
export class AccountFormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(256)
  token?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  currentPassword?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  newPassword?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  newEmail?: string;
}
