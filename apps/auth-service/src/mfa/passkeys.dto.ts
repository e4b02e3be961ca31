import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';

/** A sealed ceremony is a few hundred characters. */
const CEREMONY_MAX_LENGTH = 2048;

export class RegisterPasskeyDto {
  @ApiProperty({ example: 'Work laptop', maxLength: 100 })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  name!: string;

  @ApiProperty({ description: 'From the options answer.' })
  @IsString()
  @MaxLength(CEREMONY_MAX_LENGTH)
  ceremony!: string;

  @ApiProperty({ description: "The browser's `navigator.credentials.create()` answer, as JSON." })
  @IsObject()
  response!: RegistrationResponseJSON;
}

export class PasskeyOptionsDto {
  @ApiPropertyOptional({ description: 'For a second factor: the `mfaToken` of the password step.' })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  mfaToken?: string;
}

export class PasskeyLoginDto extends PasskeyOptionsDto {
  @ApiProperty({ description: 'From the options answer.' })
  @IsString()
  @MaxLength(CEREMONY_MAX_LENGTH)
  ceremony!: string;

  @ApiProperty({ description: "The browser's `navigator.credentials.get()` answer, as JSON." })
  @IsObject()
  response!: AuthenticationResponseJSON;
}
