import { IsOptional, IsString, MaxLength } from 'class-validator';
import { LoginDto } from '../users/users.dto';

/** `POST /session/login`: JSON `{email, password}` or the sign-in form (which adds `_csrf`). */
export class SessionLoginDto extends LoginDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;
}
