import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  ValidateIf,
} from 'class-validator';
import { CLIENT_NAME_MAX_LENGTH, MAX_SCOPES, SCOPE_PATTERN } from './client-format';
import {
  CLIENT_TYPES,
  ClientType,
  MAX_REDIRECT_URIS,
  REDIRECT_URI_MAX_LENGTH,
} from './client-registration';

const SCOPE_MESSAGE =
  'each scope must be 1-64 printable characters without spaces, quotes or backslashes';

/** The app fields of section 5; checked further (URL rules) by `checkRegistration`. */
class AppRegistrationFields {
  @ApiPropertyOptional({ type: [String], maxItems: MAX_REDIRECT_URIS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_REDIRECT_URIS)
  @IsString({ each: true })
  @MaxLength(REDIRECT_URI_MAX_LENGTH, { each: true })
  redirectUris?: string[];

  @ApiPropertyOptional({ type: [String], maxItems: MAX_REDIRECT_URIS })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_REDIRECT_URIS)
  @IsString({ each: true })
  @MaxLength(REDIRECT_URI_MAX_LENGTH, { each: true })
  postLogoutRedirectUris?: string[];

  @ApiPropertyOptional({ default: false, description: 'First-party apps skip the consent page' })
  @IsOptional()
  @IsBoolean()
  firstParty?: boolean;

  @ApiPropertyOptional({ type: String, nullable: true, maxLength: REDIRECT_URI_MAX_LENGTH })
  @IsOptional()
  @ValidateIf((_object, value) => value !== null)
  @IsString()
  @MaxLength(REDIRECT_URI_MAX_LENGTH)
  backchannelLogoutUri?: string | null;
}

export class CreateClientDto extends AppRegistrationFields {
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
  @Matches(SCOPE_PATTERN, { each: true, message: SCOPE_MESSAGE })
  scopes: string[] = [];

  @ApiPropertyOptional({ enum: CLIENT_TYPES, default: 'service' })
  @IsOptional()
  @IsIn(CLIENT_TYPES)
  type?: ClientType;
}

/** `PATCH /admin/clients/:id`: only the fields sent change; `type` may be sent but not changed. */
export class UpdateClientDto extends AppRegistrationFields {
  @ApiPropertyOptional({ minLength: 1, maxLength: CLIENT_NAME_MAX_LENGTH })
  @IsOptional()
  @IsString()
  @Length(1, CLIENT_NAME_MAX_LENGTH)
  name?: string;

  @ApiPropertyOptional({ type: [String], maxItems: MAX_SCOPES })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SCOPES)
  @IsString({ each: true })
  @Matches(SCOPE_PATTERN, { each: true, message: SCOPE_MESSAGE })
  scopes?: string[];

  @ApiPropertyOptional({ enum: CLIENT_TYPES })
  @IsOptional()
  @IsIn(CLIENT_TYPES)
  type?: ClientType;
}
