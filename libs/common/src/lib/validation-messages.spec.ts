import { Body, Controller, Module, Patch, type INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsArray, IsBoolean, IsOptional, IsString, ValidateNested } from 'class-validator';
import request from 'supertest';
import { configureHttpApp } from './http-app';
import { closestProperty } from './validation-messages';

class Address {
  @IsString()
  street!: string;
}

class UpdateUser {
  @IsOptional()
  @IsArray()
  @IsString({ each: true })
  roles?: string[];

  @IsOptional()
  @IsBoolean()
  disabled?: boolean;

  @IsOptional()
  @ValidateNested()
  @Type(() => Address)
  address?: Address;
}

@Controller('users')
class UsersController {
  @Patch()
  update(@Body() body: UpdateUser): UpdateUser {
    return body;
  }
}

@Module({ controllers: [UsersController] })
class TestModule {}

describe('validation messages', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [TestModule] }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    configureHttpApp(app);
    await app.init();
  });

  afterAll(() => app.close());

  it('names the field an unknown one was probably meant to be', async () => {
    const res = await request(app.getHttpServer())
      .patch('/users')
      .send({ role: 'admin' })
      .expect(400);
    expect(res.body).toMatchObject({
      error: 'validation_failed',
      message: ['property role should not exist (did you mean "roles"?)'],
    });
  });

  it('keeps the plain message when nothing is close, and reports nested fields by path', async () => {
    const res = await request(app.getHttpServer())
      .patch('/users')
      .send({ colour: 'red', disabled: 'yes', address: { stret: 'x' } })
      .expect(400);
    expect(res.body.message).toEqual(
      expect.arrayContaining([
        'property colour should not exist',
        'disabled must be a boolean value',
        'property stret should not exist (did you mean "address.street"?)',
        'street must be a string',
      ]),
    );
  });

  it.each([
    ['role', ['roles', 'disabled'], 'roles'],
    ['Disable', ['roles', 'disabled'], 'disabled'],
    ['x', ['roles', 'y'], undefined],
    ['email', ['roles', 'disabled'], undefined],
  ])('closestProperty(%s)', (unknown, declared, expected) => {
    expect(closestProperty(unknown, declared)).toBe(expected);
  });
});
