import { applyDecorators } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiServiceUnavailableResponse,
} from '@nestjs/swagger';

/** `GET /health`'s answer. */
export class HealthResponse {
  @ApiProperty({ enum: ['ok'], example: 'ok' })
  status!: 'ok';
}

/** `GET /health/live`'s answer. */
export class LivenessResponse extends HealthResponse {
  @ApiProperty({ example: 'auth-service', description: 'The service that answered.' })
  service!: string;
}

/** `GET /health/ready`'s answer: Terminus' health-check result. */
export class ReadinessResponse {
  @ApiProperty({ enum: ['ok', 'error'], example: 'ok' })
  status!: 'ok' | 'error';

  @ApiProperty({
    description: 'The components that are up, by name.',
    example: { database: { status: 'up' }, redis: { status: 'up' } },
  })
  info!: Record<string, unknown>;

  @ApiProperty({
    description: 'The components that are down, by name.',
    example: {},
  })
  error!: Record<string, unknown>;

  @ApiProperty({
    description: 'Every component, up or down.',
    example: { database: { status: 'up' }, redis: { status: 'up' } },
  })
  details!: Record<string, unknown>;
}

export const ApiHealth = () =>
  applyDecorators(
    ApiOperation({ summary: 'Says the process serves requests.' }),
    ApiOkResponse({ type: HealthResponse }),
  );

export const ApiLiveness = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Liveness probe: the process serves requests.',
      description: 'Checks no dependency, so a database outage never restarts the pod.',
    }),
    ApiOkResponse({ type: LivenessResponse }),
  );

export const ApiReadiness = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Readiness probe: the database, and Redis when configured, answer.',
      description:
        'Each check is bounded by a timeout. A service that verifies tokens against a remote ' +
        'issuer also waits for its keys to have loaded once.',
    }),
    ApiOkResponse({ type: ReadinessResponse, description: 'Every component is up.' }),
    ApiServiceUnavailableResponse({
      type: ReadinessResponse,
      description: 'A component is down; `error` names it.',
      example: {
        status: 'error',
        info: {},
        error: { database: { status: 'down' } },
        details: { database: { status: 'down' } },
      },
    }),
  );
