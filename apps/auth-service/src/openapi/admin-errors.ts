import { applyDecorators } from '@nestjs/common';
import { ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';

/** The 401 and 403 of every admin route, whichever feature serves it. */
export const ApiAdminErrors = () =>
  applyDecorators(
    ApiUnauthorizedResponse({ description: 'No credentials, or bad ones.' }),
    ApiForbiddenResponse({ description: 'The caller does not have the `admin` role.' }),
  );
