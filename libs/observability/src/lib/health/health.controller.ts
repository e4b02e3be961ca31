import { Controller, Get, Inject, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@keycard/auth';
import { OBSERVABILITY_OPTIONS, type ObservabilityOptions } from '../options';
import { ApiLiveness, ApiReadiness } from './health.responses';
import { ReadinessService } from './readiness';

/**
 * Kubernetes-style probes, public for the Keycard guard. `live`: the process serves requests (no
 * dependency is checked, so a database outage never restarts pods). `ready`: 200 only when the
 * database (and Redis, when configured) answers; 503 naming the failing component otherwise.
 * The app's own `GET /health` is left to the app.
 */
@Public()
@ApiTags('Operations')
@Controller('health')
export class ObservabilityHealthController {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OBSERVABILITY_OPTIONS) private readonly options: ObservabilityOptions,
  ) {}

  @Get('live')
  @ApiLiveness()
  live(): { status: 'ok'; service: string } {
    return { status: 'ok', service: this.options.service };
  }

  /**
   * Answered through the adapter rather than by throwing: the app's exception filter would turn
   * a thrown 503 into its generic error body and drop which component failed.
   */
  @Get('ready')
  @ApiReadiness()
  async ready(@Res() response: unknown): Promise<void> {
    const { status, body } = await this.readiness.check();
    this.adapterHost.httpAdapter.reply(response, body, status);
  }
}
