import { ApiProperty } from '@nestjs/swagger';
import { ApiEndpoint, type ApiErrors } from '@keycard/observability';

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

/** The errors every document route can answer; `scope` is the one it needs. */
const documentErrors = (scope: string, extra: ApiErrors = {}): ApiErrors => ({
  401: 'No credentials, or a bad token or API key.',
  403: `\`insufficient_scope\`: an API key or a service client's token without \`${scope}\`.`,
  ...extra,
  429: 'The API key is over its rate limit.',
});
const notFound = {
  404: "No such document, or it is not the caller's (and the caller is not `admin`).",
};

export const ApiCreateDocument = () =>
  ApiEndpoint({
    summary: 'Creates a document owned by the caller.',
    created: DocumentResponse,
    errors: documentErrors('documents:write'),
  });

export const ApiListDocuments = () =>
  ApiEndpoint({
    summary: "Lists the caller's documents.",
    description: 'An `admin` sees every document.',
    ok: [DocumentResponse],
    errors: documentErrors('documents:read'),
  });

export const ApiGetDocument = () =>
  ApiEndpoint({
    summary: "Reads one of the caller's documents.",
    ok: DocumentResponse,
    errors: documentErrors('documents:read', notFound),
  });

export const ApiUpdateDocument = () =>
  ApiEndpoint({
    summary: "Changes the title or body of one of the caller's documents.",
    description: 'Only its owner or an `admin` may.',
    ok: DocumentResponse,
    errors: documentErrors('documents:write', notFound),
  });

export const ApiDeleteDocument = () =>
  ApiEndpoint({
    summary: "Deletes one of the caller's documents.",
    description: 'Only its owner or an `admin` may.',
    noContent: 'Deleted.',
    errors: documentErrors('documents:write', notFound),
  });

export const ApiDocumentStats = () =>
  ApiEndpoint({
    summary: 'Counts the documents and their owners.',
    ok: DocumentStatsResponse,
    errors: {
      401: 'No credentials, or a bad token or API key.',
      403: 'The caller does not have the `admin` role.',
      429: 'The API key is over its rate limit.',
    },
  });
