import {
  Body,
  Controller,
  createParamDecorator,
  INestApplication,
  Param,
  Post,
  Query,
  Type,
  ValidationPipe,
} from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import request from 'supertest';
import { configureHttpApp, HttpAppOptions, ValidateInput } from './http-app';

class NoteDto {
  @IsString()
  title!: string;
}

const Caller = createParamDecorator(() => 'caller');

@Controller('open')
class UnvalidatedController {
  @Post(':id')
  create(@Param('id') id: string, @Body() input: NoteDto): { id: string; title: string } {
    return { id, title: input.title };
  }
}

@Controller('per-controller')
@ValidateInput()
class ValidatedController {
  @Post()
  create(@Body() input: NoteDto): NoteDto {
    return input;
  }
}

@Controller('per-handler')
class HandlerValidatedController {
  @Post()
  @ValidateInput()
  create(@Body() input: NoteDto): NoteDto {
    return input;
  }
}

@Controller('per-param')
class ParamValidatedController {
  @Post()
  create(@Query(new ValidationPipe({ whitelist: true })) query: NoteDto): NoteDto {
    return query;
  }
}

/** Routes a subclass inherits are registered, and checked, too. */
@Controller('inherited')
class InheritingController extends UnvalidatedController {}

@Controller('numbers')
class NumberParamController {
  @Post(':n')
  create(@Param('n') n: number): { n: number } {
    return { n };
  }
}

/** Parameters with nothing to validate: strings, custom decorators, untyped bodies. */
@Controller('plain')
class PlainController {
  @Post(':id')
  create(
    @Caller() caller: string,
    @Param('id') id: string,
    @Body() body: Record<string, unknown>,
  ): unknown {
    return { caller, id, body };
  }
}

async function appWith(controllers: Type[], options: HttpAppOptions): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ controllers }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureHttpApp(app, options);
  await app.init();
  return app;
}

describe('configureHttpApp validation', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it("'declared' refuses to start with a DTO parameter no ValidationPipe covers, naming it", async () => {
    await expect(
      appWith([UnvalidatedController, ValidatedController], { validation: 'declared' }),
    ).rejects.toThrow(
      /^Unvalidated input: UnvalidatedController\.create parameter 1 \(NoteDto\)\./,
    );
  });

  it("'declared' checks the routes a controller inherits", async () => {
    await expect(appWith([InheritingController], { validation: 'declared' })).rejects.toThrow(
      /^Unvalidated input: InheritingController\.create parameter 1 \(NoteDto\)\./,
    );
  });

  it("'declared' wants a ValidationPipe for a number parameter (it converts the string)", async () => {
    await expect(appWith([NumberParamController], { validation: 'declared' })).rejects.toThrow(
      /^Unvalidated input: NumberParamController\.create parameter 0 \(Number\)\./,
    );
  });

  it.each([
    ['on the controller', ValidatedController, '/per-controller'],
    ['on the handler', HandlerValidatedController, '/per-handler'],
  ])("'declared' with @ValidateInput() %s validates strictly", async (_where, controller, path) => {
    app = await appWith([controller, PlainController], { validation: 'declared' });
    await request(app.getHttpServer()).post(path).send({ title: 'ok' }).expect(201);
    const unknown = await request(app.getHttpServer())
      .post(path)
      .send({ title: 'ok', ownerId: 'mallory' })
      .expect(400);
    expect(JSON.stringify(unknown.body)).toContain('ownerId');
    await request(app.getHttpServer()).post(path).send({ title: 42 }).expect(400);
  });

  it("'declared' accepts a ValidationPipe on the parameter itself", async () => {
    app = await appWith([ParamValidatedController], { validation: 'declared' });
    await request(app.getHttpServer()).post('/per-param?title=ok').expect(201);
    await request(app.getHttpServer()).post('/per-param').expect(400);
  });

  it("'declared' leaves parameters with nothing to validate alone", async () => {
    app = await appWith([PlainController], { validation: 'declared' });
    const response = await request(app.getHttpServer())
      .post('/plain/7')
      .send({ any: 'thing' })
      .expect(201);
    expect(response.body).toEqual({ caller: 'caller', id: '7', body: { any: 'thing' } });
  });

  it('validates every DTO globally by default', async () => {
    app = await appWith([UnvalidatedController], {});
    await request(app.getHttpServer()).post('/open/1').send({ title: 'ok' }).expect(201);
    await request(app.getHttpServer())
      .post('/open/1')
      .send({ title: 'ok', extra: true })
      .expect(400);
  });
});
