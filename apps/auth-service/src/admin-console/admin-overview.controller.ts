import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@keycard/auth';
import { ApiAdminOverview } from './admin-overview.responses';
import { AdminOverview, AdminOverviewService } from './admin-overview.service';

/** The numbers of the console's overview, as JSON; role `admin` only. */
@ApiTags('Admin: overview')
@Controller('admin/overview')
@Roles('admin')
export class AdminOverviewController {
  constructor(private readonly overview: AdminOverviewService) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiAdminOverview()
  get(): Promise<AdminOverview> {
    return this.overview.overview();
  }
}
