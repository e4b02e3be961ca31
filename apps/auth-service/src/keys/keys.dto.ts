import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** `POST /admin/keys/rotate?force=true`: anything but `true`/`false` is a 400, not a silent "no". */
export class RotateKeysQuery {
  @ApiPropertyOptional({
    enum: ['true', 'false'],
    description:
      'rotate even though the next key has been in the JWKS for less than JWKS_MAX_AGE (verifiers may not have it yet)',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  force?: 'true' | 'false';
}
