import { applyDecorators } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
} from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';

const CLIENT_ID = 'svc_Xq3n8JfT2mLw0bVr5Kz7Yg';

/** A client with its secret (`CreatedClient`): only in the answer that made the secret. */
export class CreatedClientResponse {
  @ApiProperty({ example: CLIENT_ID })
  clientId!: string;

  @ApiProperty({
    example: 'cs_7hQk2Vx9Lp4Tz0Ws3Nf8Rb6Jm1Yc5Ge2Ua7Di4Ko9Hs',
    description: 'Shown in this answer only; stored as its SHA-256.',
  })
  clientSecret!: string;

  @ApiProperty({ example: 'resource-service' })
  name!: string;

  @ApiProperty({ type: [String], example: ['documents:read'] })
  scopes!: string[];
}

/** What listings show of a client (`ClientView`): never its secret. */
export class ClientResponse {
  @ApiProperty({ example: CLIENT_ID })
  clientId!: string;

  @ApiProperty({ example: 'resource-service' })
  name!: string;

  @ApiProperty({ type: [String], example: ['documents:read'] })
  scopes!: string[];

  @ApiProperty({ enum: ['service', 'web', 'spa', 'native'], example: 'service' })
  type!: string;

  @ApiProperty({ type: [String], example: [] })
  redirectUris!: string[];

  @ApiProperty({ type: [String], example: [] })
  postLogoutRedirectUris!: string[];

  @ApiProperty({ example: false })
  firstParty!: boolean;

  @ApiProperty({ type: String, nullable: true, example: null })
  backchannelLogoutUri!: string | null;

  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, example: null })
  revokedAt!: string | null;
}

const notFound = () => ApiNotFoundResponse({ description: 'No such client' });

export const ApiCreateClient = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Registers a service client (audited: client.created).',
      description: 'The secret appears in this answer only.',
    }),
    ApiCreatedResponse({ type: CreatedClientResponse }),
    ApiAdminErrors(),
  );

export const ApiListClients = () =>
  applyDecorators(
    ApiOperation({ summary: 'Lists the service clients, revoked ones included.' }),
    ApiOkResponse({ type: [ClientResponse] }),
    ApiAdminErrors(),
  );

export const ApiUpdateClient = () =>
  applyDecorators(
    ApiOperation({
      summary: "Changes a client's registration (audited: client.updated).",
      description: 'Only the fields sent change; the type and the secret stay.',
    }),
    ApiOkResponse({ type: ClientResponse }),
    ApiAdminErrors(),
    notFound(),
  );

export const ApiRotateClientSecret = () =>
  applyDecorators(
    ApiOperation({ summary: "Replaces a client's secret (audited: client.secret_rotated)" }),
    ApiOkResponse({
      type: CreatedClientResponse,
      description: 'The new secret, shown in this answer only; the old one stops working.',
    }),
    ApiAdminErrors(),
    notFound(),
    ApiConflictResponse({ description: 'The client is revoked' }),
  );

export const ApiRevokeClient = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Revokes a service client (audited: client.revoked).',
      description: 'Its secret stops working at once; revoking it again changes nothing.',
    }),
    ApiNoContentResponse({ description: 'Revoked.' }),
    ApiAdminErrors(),
    notFound(),
  );
