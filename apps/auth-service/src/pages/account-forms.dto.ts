import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import type { ApiKeyEnvironment, ApiKeyType } from '@keycard/common';

/** One ticked checkbox arrives as a string, several as an array. */
function toList({ value }: { value: unknown }): unknown {
  return typeof value === 'string' ? [value] : value;
}

/** The create-key form of `/account` (the session guard has already checked `_csrf`). */
export class CreateApiKeyFormDto {
  @IsOptional()
  @IsString()
  @MaxLength(64)
  _csrf?: string;

  /** An empty name is answered on the page itself, not with a bare 400. */
  @IsString()
  @MaxLength(100)
  name!: string;

  @IsOptional()
  @IsIn(['sk', 'pk'])
  type?: ApiKeyType;

  @IsOptional()
  @IsIn(['live', 'test'])
  environment?: ApiKeyEnvironment;

  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  scopes?: string[];
}
