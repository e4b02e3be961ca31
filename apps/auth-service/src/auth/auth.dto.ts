import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';

/**
 * `{refreshToken}`: only its presence and type are validated (400). Any string that is not a live
 * refresh token, whatever its length or shape, is the contract's 401 at refresh (and a 204 at
 * logout), decided by a cheap shape check before any database read; the body limit bounds it.
 */
export class RefreshDto {
  @ApiProperty({ description: 'The refresh token of the login' })
  @IsString()
  refreshToken!: string;
}
