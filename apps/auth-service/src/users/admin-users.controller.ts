import { Body, Controller, Get, Param, Patch, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Roles } from '@keycard/auth';
import { ErrorCode, KeycardError } from '@keycard/common';
import { AdminUserView, toAdminUserView } from './public-user';
import { ListUsersQueryDto, UpdateUserDto } from './users.dto';
import { ApiGetUser, ApiListUsers, ApiUpdateUser } from './users.responses';
import { UserPaging, UsersService } from './users.service';
import { decodeUserCursor, encodeUserCursor } from './user-search';

export interface AdminUserPage {
  items: AdminUserView[];
  /** Absent on a page asked for by cursor. */
  page?: number;
  pageSize: number;
  /** Absent on a page asked for by cursor: counting is what keyset paging saves. */
  total?: number;
  /** Pass as `cursor` for the next page; null on the last. */
  nextCursor: string | null;
}

/** A numbered page, or the page after a cursor (400 for a cursor we did not give out, or both). */
function pagingOf(query: ListUsersQueryDto): UserPaging {
  if (query.cursor === undefined) return { page: query.page ?? 1, pageSize: query.pageSize };
  if (query.page !== undefined) {
    throw new KeycardError(ErrorCode.ValidationFailed, {
      message: ['cursor and page cannot be combined'],
      reason: 'admin users: cursor with page',
    });
  }
  return { after: decodeUserCursor(query.cursor), pageSize: query.pageSize };
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
    const paging = pagingOf(query);
    const filter = { email: query.email, exactEmail: query.emailMatch === 'exact', q: query.q };
    const { items, total, next } = await this.users.list(filter, paging);
    return {
      items: items.map(toAdminUserView),
      ...('page' in paging ? { page: paging.page } : {}),
      pageSize: paging.pageSize,
      ...(total === undefined ? {} : { total }),
      nextCursor: next && encodeUserCursor(next),
    };
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
