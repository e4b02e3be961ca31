import { Controller, Delete, HttpCode, Param } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@keycard/auth';
import { ApiAdminResetMfa } from './mfa.responses';
import { MfaService } from './mfa.service';

/** `DELETE /admin/users/:id/mfa`: an admin removes a user's second factors (audited, user mailed). */
@ApiTags('Admin: users')
@Controller('admin/users')
@Roles('admin')
export class AdminMfaController {
  constructor(private readonly mfa: MfaService) {}

  @Delete(':id/mfa')
  @ApiAdminResetMfa()
  @HttpCode(204)
  reset(@CurrentPrincipal() admin: Principal, @Param('id') id: string): Promise<void> {
    return this.mfa.reset(id, { type: 'user', id: admin.sub });
  }
}
