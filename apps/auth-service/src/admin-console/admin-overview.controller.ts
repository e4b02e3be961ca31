import { Controller, Get, Header } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Roles } from '@keycard/auth';
import { AdminOverview, AdminOverviewService } from './admin-overview.service';

/** The numbers of the console's overview, as JSON; role `admin` only. */
@ApiTags('Admin: overview')
@Controller('admin/overview')
@Roles('admin')
export class AdminOverviewController {
  constructor(private readonly overview: AdminOverviewService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'Users, live sessions, signing keys by status, and the last hour of this instance',
    description:
      "lastHour comes from this instance's Prometheus counters (keycard_tokens_issued_total by kind, keycard_auth_failures_total by reason), sampled each minute; other instances count their own.",
  })
  get(): Promise<AdminOverview> {
    return this.overview.overview();
  }
}
