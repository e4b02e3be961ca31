import { applyDecorators } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
} from '@nestjs/swagger';
import { ApiAdminErrors } from '../openapi/admin-errors';

const USER_ID = '0b6f3a52-2f0e-4c1b-9a51-6d2f4e7c8a90';

/** What a user sees of their own account (`PublicUser`). */
export class PublicUserResponse {
  @ApiProperty({ example: USER_ID })
  id!: string;

  @ApiProperty({ format: 'email', example: 'ada@example.com' })
  email!: string;

  @ApiProperty({ type: String, nullable: true, example: 'Ada Lovelace' })
  name!: string | null;

  @ApiProperty({ type: [String], example: ['user'] })
  roles!: string[];

  @ApiProperty({ example: false, description: 'Whether the address was confirmed by mail.' })
  emailVerified!: boolean;
}

/** What an admin sees of a user (`AdminUserView`). */
export class AdminUserResponse extends PublicUserResponse {
  @ApiProperty({ example: false })
  disabled!: boolean;

  @ApiProperty({ example: true, description: 'False for an account made by Google sign-in only.' })
  hasPassword!: boolean;

  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: '2026-01-05T09:30:00.000Z' })
  updatedAt!: string;
}

/** A page of users (`AdminUserPage`). */
export class AdminUserPageResponse {
  @ApiProperty({ type: [AdminUserResponse] })
  items!: AdminUserResponse[];

  @ApiProperty({
    example: 1,
    required: false,
    description: 'Absent on a page asked for by cursor.',
  })
  page?: number;

  @ApiProperty({ example: 20 })
  pageSize!: number;

  @ApiProperty({
    example: 1,
    required: false,
    description: 'Users matching the filter, on every page; absent on a page asked for by cursor.',
  })
  total?: number;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'MTc2NzYwNTQwMDAwMDowYjZmM2E1Mi0yZjBlLTRjMWItOWE1MS02ZDJmNGU3YzhhOTA',
    description: 'Pass as `cursor` for the next page (opaque); null on the last page.',
  })
  nextCursor!: string | null;
}

const notFound = () => ApiNotFoundResponse({ description: 'No user has this id.' });

export const ApiListUsers = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Lists users, a page at a time.',
      description:
        'Oldest first (creation time, then id). `email` matches the start of the address, or all of it with `emailMatch=exact`; `q` the start of a word of the address or name (`q=*text`: anywhere). Page by number (`page`, with `total`), or follow `nextCursor` with `cursor`: keyset pages, as fast at any depth, without `total`.',
    }),
    ApiOkResponse({ type: AdminUserPageResponse }),
    ApiAdminErrors(),
  );

export const ApiGetUser = () =>
  applyDecorators(
    ApiOperation({ summary: 'Reads one user.' }),
    ApiOkResponse({ type: AdminUserResponse }),
    ApiAdminErrors(),
    notFound(),
  );

export const ApiUpdateUser = () =>
  applyDecorators(
    ApiOperation({
      summary: "Changes a user's roles or disables them.",
      description: 'Disabling a user revokes their refresh tokens, sessions and API keys.',
    }),
    ApiOkResponse({ type: AdminUserResponse }),
    ApiAdminErrors(),
    notFound(),
    ApiConflictResponse({ description: '`last_admin`: no enabled admin would remain.' }),
  );
