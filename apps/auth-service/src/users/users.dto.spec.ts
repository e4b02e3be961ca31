import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ListUsersQueryDto, LoginDto, RegisterDto, UpdateUserDto } from './users.dto';

type DtoClass = new () => object;

async function errorsOf(cls: DtoClass, body: Record<string, unknown>): Promise<string[]> {
  const errors = await validate(plainToInstance(cls, body), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return errors.map((error) => error.property);
}

const ok = { email: 'ada@example.com', password: 'long enough' };

describe('users DTOs', () => {
  it.each([
    ['a valid body', ok, []],
    ['a name', { ...ok, name: 'Ada' }, []],
    ['an 8-character password', { ...ok, password: '12345678' }, []],
    ['a 128-character password', { ...ok, password: 'x'.repeat(128) }, []],
    ['a bad email', { ...ok, email: 'not-an-email' }, ['email']],
    ['an email over 254 characters', { ...ok, email: `${'a'.repeat(250)}@example.com` }, ['email']],
    // 8-128 characters is the password policy's rule (400 weak_password), not the DTO's.
    ['a 7-character password', { ...ok, password: '1234567' }, []],
    ['a 129-character password', { ...ok, password: 'x'.repeat(129) }, []],
    ['a 1025-character password', { ...ok, password: 'x'.repeat(1025) }, ['password']],
    ['a numeric password', { ...ok, password: 12345678 }, ['password']],
    ['a name over 100 characters', { ...ok, name: 'n'.repeat(101) }, ['name']],
    ['an unknown field', { ...ok, roles: ['admin'] }, ['roles']],
  ])('RegisterDto with %s', async (_label, body, invalid) => {
    expect(await errorsOf(RegisterDto, body)).toEqual(invalid);
  });

  it.each([
    ['a valid body', ok, []],
    ['any string as email (login must not reveal the rules)', { ...ok, email: 'x' }, []],
    ['a password over 128 characters', { ...ok, password: 'x'.repeat(129) }, ['password']],
    ['an object as password', { ...ok, password: { $ne: '' } }, ['password']],
    ['no email', { password: 'x' }, ['email']],
  ])('LoginDto with %s', async (_label, body, invalid) => {
    expect(await errorsOf(LoginDto, body)).toEqual(invalid);
  });

  it.each([
    ['nothing', {}, []],
    ['valid roles', { roles: ['admin', 'user', 'documents:write', 'a_b-c'] }, []],
    ['disabled', { disabled: true }, []],
    ['an uppercase role', { roles: ['Admin'] }, ['roles']],
    ['a role starting with a digit', { roles: ['1admin'] }, ['roles']],
    ['a 33-character role', { roles: [`a${'b'.repeat(32)}`] }, ['roles']],
    ['21 roles', { roles: Array.from({ length: 21 }, (_, i) => `r${i}`) }, ['roles']],
    ['roles as a string', { roles: 'admin' }, ['roles']],
    ['disabled as a string', { disabled: 'true' }, ['disabled']],
    ['an unknown field', { email: 'x@example.com' }, ['email']],
  ])('UpdateUserDto with %s', async (_label, body, invalid) => {
    expect(await errorsOf(UpdateUserDto, body)).toEqual(invalid);
  });

  it.each([
    [{}, []],
    [{ page: '2', pageSize: '50' }, []],
    [{ page: '0' }, ['page']],
    [{ pageSize: '101' }, ['pageSize']],
    [{ pageSize: 'ten' }, ['pageSize']],
    [{ page: '1.5' }, ['page']],
  ])('ListUsersQueryDto with %j', async (query, invalid) => {
    expect(await errorsOf(ListUsersQueryDto, query)).toEqual(invalid);
  });
});
