import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';

export class RefreshDto {
  @ApiProperty({ description: 'The refresh token of the login', maxLength: 512 })
  @IsString()
  @MaxLength(512)
  refreshToken!: string;
}
