import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { BOOTSTRAP_ADMIN, BootstrapAdmin } from './bootstrap-admin-settings';
import { UsersService } from './users.service';

export const BOOTSTRAP_ADMIN_ROLES: readonly string[] = ['admin', 'user'];

/**
 * `BOOTSTRAP_ADMIN_EMAIL` + `BOOTSTRAP_ADMIN_PASSWORD`: creates that user with role `admin` on
 * start when no user has that email. An existing user is left as it is (its password and roles
 * are never reset), and two instances starting at once create it once (the unique index decides).
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger(AdminBootstrapService.name);

  constructor(
    private readonly users: UsersService,
    @Inject(BOOTSTRAP_ADMIN) private readonly admin: BootstrapAdmin | null,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const admin = this.admin;
    if (!admin) return;
    const created = await this.users.createIfMissing({
      email: admin.email,
      password: admin.password,
      roles: BOOTSTRAP_ADMIN_ROLES,
    });
    if (created) this.logger.log(`Created the bootstrap admin user ${admin.email}`);
  }
}
