import { IsOptional, IsString, MaxLength } from 'class-validator';

/**
 * The sign-up form as posted. Loose on purpose: the form's own errors (a bad address, a short
 * password) come back as an inline message from the same checks `POST /auth/register` makes.
 */
export class SignupFormDto {
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  password?: string;

  @IsOptional()
  @IsString()
  @MaxLength(1024)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;
}
