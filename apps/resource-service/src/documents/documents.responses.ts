import { applyDecorators } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

/** A document as the API returns it (`DocumentView`). */
export class DocumentResponse {
  @ApiProperty({ example: '3f0c2a9e-6a59-4f5e-9d43-5b1f8f0a7c21' })
  id!: string;

  @ApiProperty({ example: 'Quarterly plan' })
  title!: string;

  @ApiProperty({ example: 'Ship the OpenAPI document.' })
  body!: string;

  @ApiProperty({
    example: 'b7e4c1d2-0f3a-4c5b-8e6d-9a1b2c3d4e5f',
    description: "Its owner's subject.",
  })
  ownerId!: string;

  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' })
  updatedAt!: string;
}

/** `GET /admin/stats`'s answer (`DocumentStats`). */
export class DocumentStatsResponse {
  @ApiProperty({ example: 42, description: 'Documents stored.' })
  documents!: number;

  @ApiProperty({ example: 7, description: 'Distinct owners among them.' })
  owners!: number;
}

const unauthorized = () =>
  ApiUnauthorizedResponse({ description: 'No credentials, or a bad token or API key.' });
const forbidden = (scope: string) =>
  ApiForbiddenResponse({
    description: `\`insufficient_scope\`: an API key or a service client's token without \`${scope}\`.`,
  });
const tooMany = () =>
  ApiTooManyRequestsResponse({ description: 'The API key is over its rate limit.' });
const notFound = () =>
  ApiNotFoundResponse({
    description: "No such document, or it is not the caller's (and the caller is not `admin`).",
  });

export const ApiCreateDocument = () =>
  applyDecorators(
    ApiOperation({ summary: 'Creates a document owned by the caller.' }),
    ApiCreatedResponse({ type: DocumentResponse }),
    unauthorized(),
    forbidden('documents:write'),
    tooMany(),
  );

export const ApiListDocuments = () =>
  applyDecorators(
    ApiOperation({
      summary: "Lists the caller's documents.",
      description: 'An `admin` sees every document.',
    }),
    ApiOkResponse({ type: [DocumentResponse] }),
    unauthorized(),
    forbidden('documents:read'),
    tooMany(),
  );

export const ApiGetDocument = () =>
  applyDecorators(
    ApiOperation({ summary: "Reads one of the caller's documents." }),
    ApiOkResponse({ type: DocumentResponse }),
    unauthorized(),
    forbidden('documents:read'),
    notFound(),
    tooMany(),
  );

export const ApiUpdateDocument = () =>
  applyDecorators(
    ApiOperation({
      summary: "Changes the title or body of one of the caller's documents.",
      description: 'Only its owner or an `admin` may.',
    }),
    ApiOkResponse({ type: DocumentResponse }),
    unauthorized(),
    forbidden('documents:write'),
    notFound(),
    tooMany(),
  );

export const ApiDeleteDocument = () =>
  applyDecorators(
    ApiOperation({
      summary: "Deletes one of the caller's documents.",
      description: 'Only its owner or an `admin` may.',
    }),
    ApiNoContentResponse({ description: 'Deleted.' }),
    unauthorized(),
    forbidden('documents:write'),
    notFound(),
    tooMany(),
  );

export const ApiDocumentStats = () =>
  applyDecorators(
    ApiOperation({ summary: 'Counts the documents and their owners.' }),
    ApiOkResponse({ type: DocumentStatsResponse }),
    unauthorized(),
    ApiForbiddenResponse({ description: 'The caller does not have the `admin` role.' }),
    tooMany(),
  );
