import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@keycard/auth';
import { AuditQueryDto } from './audit-query.dto';
import { ApiListAudit } from './audit.responses';
import { AuditPage, AuditQueryService } from './audit-query.service';

/** The audit trail for administrators; role `admin` only. */
@ApiTags('Admin: audit log')
@Controller('admin/audit')
@Roles('admin')
export class AdminAuditController {
  constructor(private readonly audit: AuditQueryService) {}

  @Get()
  @ApiListAudit()
  @Header('Cache-Control', 'no-store')
  list(@Query() query: AuditQueryDto): Promise<AuditPage> {
    const { page, pageSize, from, to, ...filter } = query;
    return this.audit.list(
      {
        ...filter,
        from: from === undefined ? undefined : Date.parse(from),
        to: to === undefined ? undefined : Date.parse(to),
      },
      page,
      pageSize,
    );
  }
}
