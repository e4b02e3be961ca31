import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsString, MaxLength } from 'class-validator';
import { EMAIL_MAX_LENGTH, NEW_PASSWORD_FIELD_MAX } from '../users/users.dto';

/** A link token is 43 characters; anything else is simply an invalid token (400). */
const TOKEN_FIELD_MAX = 256;

export class EmailDto {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH })
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  email!: string;
}

export class VerifyEmailDto {
  @ApiProperty({ description: 'The token of the link mailed to the address' })
  @IsString()
  @MaxLength(TOKEN_FIELD_MAX)
  token!: string;
}

export class ResetPasswordDto {
  @ApiProperty({ description: 'The token of the reset link' })
  @IsString()
  @MaxLength(TOKEN_FIELD_MAX)
  token!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(NEW_PASSWORD_FIELD_MAX)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty({ maxLength: 128 })
  @IsString()
  @MaxLength(NEW_PASSWORD_FIELD_MAX)
  currentPassword!: string;

  @ApiProperty({ minLength: 8, maxLength: 128 })
  @IsString()
  @MaxLength(NEW_PASSWORD_FIELD_MAX)
  newPassword!: string;
}

export class ChangeEmailDto {
  @ApiProperty({ format: 'email', maxLength: EMAIL_MAX_LENGTH })
  @IsEmail()
  @MaxLength(EMAIL_MAX_LENGTH)
  newEmail!: string;

  @ApiProperty({ maxLength: 128 })
  @IsString()
  @MaxLength(NEW_PASSWORD_FIELD_MAX)
  password!: string;
}
