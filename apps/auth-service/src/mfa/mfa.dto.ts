import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../users/users.dto';

/** A TOTP code (six digits) or a recovery code (`XXXXX-XXXXX`); anything longer is simply wrong. */
const CODE_MAX_LENGTH = 32;
/** An `mfaToken` is a few hundred characters. */
const MFA_TOKEN_MAX_LENGTH = 1024;

export class MfaCodeDto {
  @ApiProperty({ example: '123456', description: 'A code of the authenticator app.' })
  @IsString()
  @MaxLength(CODE_MAX_LENGTH)
  code!: string;
}

export class RemoveTotpDto {
  @ApiPropertyOptional({ example: '123456', description: 'A code of the authenticator app…' })
  @IsOptional()
  @IsString()
  @MaxLength(CODE_MAX_LENGTH)
  code?: string;

  @ApiPropertyOptional({ description: '…or the account password.' })
  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;
}

export class MfaLoginDto {
  @ApiProperty({ description: 'From the `mfa_required` answer of the password step.' })
  @IsString()
  @MaxLength(MFA_TOKEN_MAX_LENGTH)
  mfaToken!: string;

  @ApiProperty({ example: '123456', description: 'A TOTP code or a recovery code.' })
  @IsString()
  @MaxLength(CODE_MAX_LENGTH)
  code!: string;
}

/** `POST /session/login/mfa`: JSON `{mfaToken, code}`, or the second-step form (`code`, `_csrf`). */
export class SessionMfaDto {
  @ApiPropertyOptional({ description: 'JSON callers: from the `mfa_required` answer.' })
  @IsOptional()
  @IsString()
  @MaxLength(MFA_TOKEN_MAX_LENGTH)
  mfaToken?: string;

  @ApiProperty({ example: '123456', description: 'A TOTP code or a recovery code.' })
  @IsString()
  @MaxLength(CODE_MAX_LENGTH)
  code!: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;
}

/** The forms of `/account/security` (every field optional: each form sends its own). */
export class SecurityFormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;

  @IsOptional()
  @IsString()
  @MaxLength(CODE_MAX_LENGTH)
  code?: string;

  @IsOptional()
  @IsString()
  @MaxLength(PASSWORD_MAX_LENGTH)
  password?: string;
}
