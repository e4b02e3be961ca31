import { Controller, Get, Header, Headers, Inject, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiOkResponse, ApiOperation, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { constantTimeEqual, invalidToken, missingCredentials } from '@keycard/common';
import { Public } from '@keycard/auth';
import { prometheusContentType } from 'prom-client';
import { OBSERVABILITY_OPTIONS, type ObservabilityOptions } from '../options';
import { KeycardMetrics } from './keycard-metrics';

const BEARER = /^Bearer ([^\s]+)$/i;

/**
 * `GET /metrics` (Prometheus text format). Public for the Keycard guard, since Prometheus holds no
 * Keycard credential: keep it off the public network (ingress rule, separate port or policy), and
 * set `metricsToken` (`METRICS_TOKEN`) to also require `Authorization: Bearer <token>`.
 */
@Public()
@ApiTags('Operations')
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: KeycardMetrics,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions,
  ) {}

  /** The content type is set after the token check, so that a 401 keeps its JSON content type. */
  @Get()
  @ApiOperation({
    summary: 'Prometheus metrics in the text exposition format.',
    description:
      'Keep it off the public network. With `METRICS_TOKEN` set it needs ' +
      '`Authorization: Bearer <token>`.',
  })
  @ApiOkResponse({
    description: 'The metrics.',
    content: {
      'text/plain': {
        schema: { type: 'string' },
        example: 'http_requests_total{method="GET",route="/health",status="200"} 3\n',
      },
    },
  })
  @ApiUnauthorizedResponse({
    description: 'METRICS_TOKEN is set and the bearer token is missing or wrong.',
  })
  @Header('Cache-Control', 'no-store')
  scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) response: unknown,
  ): Promise<string> {
    const expected = this.options.metricsToken;
    if (expected) {
      if (authorization === undefined) throw missingCredentials();
      const token = BEARER.exec(authorization)?.[1];
      if (token === undefined || !constantTimeEqual(token, expected)) {
        throw invalidToken('wrong metrics token');
      }
    }
    this.adapterHost.httpAdapter.setHeader(response, 'Content-Type', prometheusContentType);
    return this.metrics.scrape();
  }
}
