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
import { configureHttpApp } from './http-app';

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

@Controller('per-param')
class ParamValidatedController {
  @Post()
  create(@Query(new ValidationPipe({ whitelist: true })) query: NoteDto): NoteDto {
    return query;
  }
}

/** Routes a subclass inherits are registered, and validated, too. */
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

async function appWith(controllers: Type[]): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({ controllers }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  configureHttpApp(app);
  await app.init();
  return app;
}

describe('configureHttpApp validation', () => {
  let app: INestApplication | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
  });

  it('validates a DTO parameter that no decorator mentions, strictly, naming an unknown field', async () => {
    app = await appWith([UnvalidatedController, PlainController]);
    const path = '/open/1';
    await request(app.getHttpServer()).post(path).send({ title: 'ok' }).expect(201);
    const unknown = await request(app.getHttpServer())
      .post(path)
      .send({ title: 'ok', ownerId: 'mallory' })
      .expect(400);
    expect(JSON.stringify(unknown.body)).toContain('ownerId');
    await request(app.getHttpServer()).post(path).send({ title: 42 }).expect(400);
  });

  it('validates the routes a controller inherits', async () => {
    app = await appWith([InheritingController]);
    await request(app.getHttpServer()).post('/inherited/1').send({ title: 'ok' }).expect(201);
    await request(app.getHttpServer()).post('/inherited/1').send({ title: 7 }).expect(400);
  });

  it('converts a number parameter from the path', async () => {
    app = await appWith([NumberParamController]);
    const response = await request(app.getHttpServer()).post('/numbers/7').expect(201);
    expect(response.body).toEqual({ n: 7 });
  });

  it('applies a ValidationPipe on the parameter itself too', async () => {
    app = await appWith([ParamValidatedController]);
    await request(app.getHttpServer()).post('/per-param?title=ok').expect(201);
    await request(app.getHttpServer()).post('/per-param').expect(400);
  });

  it('leaves parameters with nothing to validate alone', async () => {
    app = await appWith([PlainController]);
    const response = await request(app.getHttpServer())
      .post('/plain/7')
      .send({ any: 'thing' })
      .expect(201);
    expect(response.body).toEqual({ caller: 'caller', id: '7', body: { any: 'thing' } });
  });

  it('validates every DTO globally', async () => {
    app = await appWith([UnvalidatedController]);
    await request(app.getHttpServer()).post('/open/1').send({ title: 'ok' }).expect(201);
    await request(app.getHttpServer())
      .post('/open/1')
      .send({ title: 'ok', extra: true })
      .expect(400);
  });
});
