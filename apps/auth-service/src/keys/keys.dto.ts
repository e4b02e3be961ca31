import { IsIn, IsOptional } from 'class-validator';

/** `POST /admin/keys/rotate?force=true`: anything but `true`/`false` is a 400, not a silent "no". */
export class RotateKeysQuery {
  @IsOptional()
  @IsIn(['true', 'false'])
  force?: 'true' | 'false';
}
