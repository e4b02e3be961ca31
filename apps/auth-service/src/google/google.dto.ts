import { IsString, Matches } from 'class-validator';

export class GoogleExchangeDto {
  /** The one-time hand-off code: 32 random bytes in base64url. */
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/)
  code!: string;
}
