import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Every console form: the CSRF field (checked by the guard) and, on a confirmation, `confirm`. */
export class ConsoleFormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;

  /** `yes` from a confirmation page; absent from the first click, which only asks. */
  @IsOptional()
  @IsIn(['yes'])
  confirm?: 'yes';
}

export class RolesFormDto extends ConsoleFormDto {
  @IsString()
  @MaxLength(700)
  roles!: string;
}

export class RotateKeysFormDto extends ConsoleFormDto {
  @IsOptional()
  @IsIn(['true'])
  force?: 'true';
}

export class CreateClientFormDto extends ConsoleFormDto {
  /** An empty name is answered on the page itself. */
  @IsString()
  @MaxLength(100)
  name!: string;

  /** Separated by spaces (or commas). */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  scopes?: string;
}

class PagedQueryDto {
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  page = 1;
}

export class UsersQueryDto extends PagedQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @IsString()
  @MaxLength(100)
  q?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  notice?: string;
}

/** The audit screen's filters as the form sends them; checked by `auditFilterOf`. */
export class AuditFormQueryDto extends PagedQueryDto {
  @IsOptional() @IsString() @MaxLength(64) type?: string;
  @IsOptional() @IsString() @MaxLength(16) outcome?: string;
  @IsOptional() @IsString() @MaxLength(128) actorId?: string;
  @IsOptional() @IsString() @MaxLength(128) subjectId?: string;
  @IsOptional() @IsString() @MaxLength(32) from?: string;
  @IsOptional() @IsString() @MaxLength(32) to?: string;
}

export class NoticeQueryDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  notice?: string;
}
