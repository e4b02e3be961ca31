import { applyDecorators } from '@nestjs/common';
import {
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { TokenPairResponse } from '../tokens/tokens.responses';

export const ApiGoogleExchange = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Trades the one-time code of a Google sign-in hand-off for a token pair.',
      description:
        'For SPAs and mobile apps: the callback redirect carries the code, never a token. ' +
        'The code works once.',
    }),
    ApiOkResponse({ type: TokenPairResponse }),
    ApiUnauthorizedResponse({ description: 'Unknown, used or expired code.' }),
    ApiNotFoundResponse({ description: 'Google sign-in is not configured.' }),
  );
