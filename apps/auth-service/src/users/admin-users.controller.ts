import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@keycard/auth';
import { AdminUserView, toAdminUserView } from './public-user';
import { ListUsersQueryDto, UpdateUserDto } from './users.dto';
import { ApiGetUser, ApiListUsers, ApiUpdateUser } from './users.responses';
import { UsersService } from './users.service';

export interface AdminUserPage {
  items: AdminUserView[];
  page: number;
  pageSize: number;
  total: number;
}

/** User administration; role `admin` only. */
@ApiTags('Admin: users')
@Controller('admin/users')
@Roles('admin')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiListUsers()
  async list(@Query() query: ListUsersQueryDto): Promise<AdminUserPage> {
    const { items, total } = await this.users.list(
      query.page,
      query.pageSize,
      query.email,
      query.q,
    );
    return { items: items.map(toAdminUserView), page: query.page, pageSize: query.pageSize, total };
  }

  /** One user; 404 for an unknown or malformed id. */
  @Get(':id')
  @ApiGetUser()
  async get(@Param('id') id: string): Promise<AdminUserView> {
    return toAdminUserView(await this.users.get(id));
  }

  /** 404 for an unknown or malformed id; `disabled: true` also revokes what the user holds. */
  @Patch(':id')
  @ApiUpdateUser()
  async update(@Param('id') id: string, @Body() dto: UpdateUserDto): Promise<AdminUserView> {
    return toAdminUserView(await this.users.update(id, dto));
  }
}
