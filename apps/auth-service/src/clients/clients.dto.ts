import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, Length, Matches } from 'class-validator';
import { CLIENT_NAME_MAX_LENGTH, MAX_SCOPES, SCOPE_PATTERN } from './client-format';

export class CreateClientDto {
  @ApiProperty({ minLength: 1, maxLength: CLIENT_NAME_MAX_LENGTH })
  @IsString()
  @Length(1, CLIENT_NAME_MAX_LENGTH)
  name!: string;

  /** The scopes the client may request; none when absent. */
  @ApiPropertyOptional({ type: [String], maxItems: MAX_SCOPES })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @IsString({ each: true })
  @Matches(SCOPE_PATTERN, {
    each: true,
    message: 'each scope must be 1-64 printable characters without spaces, quotes or backslashes',
  })
  scopes: string[] = [];
}
