import type { Type } from '@nestjs/common';
import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';

/** A success answer's body: a response class, or `[Class]` for an array of them. */
type Body = Type<unknown> | [Type<unknown>];

/** A success answer: its body, with a description when the status alone does not say enough. */
type Success = Body | { type: Body; description?: string };

/** The error answers of an operation, each with what causes it. */
export interface ApiErrors {
  400?: string;
  401?: string;
  403?: string;
  404?: string;
  409?: string;
  429?: string;
}

/** What an operation is and answers, for `ApiEndpoint`. */
export interface ApiEndpointSpec {
  summary: string;
  description?: string;
  /** 200 with this body. */
  ok?: Success;
  /** 201 with this body. */
  created?: Success;
  /** 204, with this description. */
  noContent?: string;
  errors?: ApiErrors;
}

const ERROR_RESPONSES = {
  400: ApiBadRequestResponse,
  401: ApiUnauthorizedResponse,
  403: ApiForbiddenResponse,
  404: ApiNotFoundResponse,
  409: ApiConflictResponse,
  429: ApiTooManyRequestsResponse,
} as const;

function success(answer: Success): { type: Body; description?: string } {
  return Array.isArray(answer) || typeof answer === 'function' ? { type: answer } : answer;
}

/**
 * An operation's OpenAPI documentation in one decorator: its summary, its success answer and
 * each error answer with its cause, e.g.
 * `ApiEndpoint({ summary: 'Reads a thing.', ok: ThingResponse, errors: { 404: 'No such thing.' } })`.
 */
export function ApiEndpoint(spec: ApiEndpointSpec): MethodDecorator & ClassDecorator {
  const { summary, description, ok, created, noContent, errors = {} } = spec;
  return applyDecorators(
    ApiOperation(description === undefined ? { summary } : { summary, description }),
    ...(ok === undefined ? [] : [ApiOkResponse(success(ok))]),
    ...(created === undefined ? [] : [ApiCreatedResponse(success(created))]),
    ...(noContent === undefined ? [] : [ApiNoContentResponse({ description: noContent })]),
    ...Object.entries(errors).map(([status, cause]) =>
      ERROR_RESPONSES[Number(status) as keyof ApiErrors]({ description: cause }),
    ),
  );
}
