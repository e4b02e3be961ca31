import { Body, Controller, Post } from '@nestjs/common';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { IsString } from 'class-validator';
import request from 'supertest';
import { keycardHttpAdapter } from './fastify-adapter';
import { configureHttpApp } from './http-app';

class NoteDto {
  @IsString()
  title!: string;
}

@Controller()
class BodiesController {
  @Post('notes')
  note(@Body() note: NoteDto): NoteDto {
    return note;
  }

  @Post('any')
  any(@Body() body: Record<string, unknown>): { keys: string[] } {
    return { keys: Object.keys(body) };
  }
}

async function appOn(adapter: FastifyAdapter): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ controllers: [BodiesController] }).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { logger: false });
  configureHttpApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
const TOO_DEEP = {
  statusCode: 400,
  error: 'validation_failed',
  message: 'JSON nested deeper than 32 levels',
};

describe('keycardHttpAdapter', () => {
  let app: NestFastifyApplication;
  const postJson = (path: string, body: string) =>
    request(app.getHttpServer()).post(path).set('Content-Type', 'application/json').send(body);

  beforeAll(async () => {
    app = await appOn(keycardHttpAdapter());
  });
  afterAll(() => app.close());

  it.each<[string, string]>([
    ['5,000 levels of [', arrays(5000)],
    ['5,000 levels of {"a":', objects(5000)],
    ['5,000 unclosed [', '['.repeat(5000)],
    ['a DTO field nested 5,000 deep', `{"title":${arrays(5000)}}`],
    ['33 levels', arrays(33)],
    ['33 levels of objects', objects(33)],
  ])('refuses %s with 400 validation_failed before parsing', async (_name, body) => {
    for (const path of ['/notes', '/any']) {
      const response = await postJson(path, body);
      expect({ path, status: response.status, body: response.body }).toEqual({
        path,
        status: 400,
        body: TOO_DEEP,
      });
    }
  });

  it('accepts bodies nested 32 deep, and brackets inside strings at any count', async () => {
    const deepest = `{"a":${arrays(31)}}`;
    await postJson('/any', deepest).expect(201, { keys: ['a'] });
    await postJson('/any', objects(32)).expect(201, { keys: ['a'] });
    const brackets = JSON.stringify({ title: '[{"\\'.repeat(5000) });
    await postJson('/notes', brackets).expect(201);
  });

  it('keeps Nest JSON parsing otherwise: malformed JSON 400, __proto__ refused, 64 KiB limit', async () => {
    expect((await postJson('/any', '{"a":').expect(400)).body.statusCode).toBe(400);
    await postJson('/any', '{"__proto__":{"admin":true}}').expect(400);
    await postJson('/any', JSON.stringify({ a: 'x'.repeat(70 * 1024) })).expect(413);
  });

  it('parses form bodies flat: brackets in a name never nest', async () => {
    const name = `a${'[b]'.repeat(5000)}`;
    const response = await request(app.getHttpServer())
      .post('/any')
      .type('form')
      .send(`${encodeURIComponent(name)}=1`)
      .expect(201);
    expect(response.body).toEqual({ keys: [name] });
  });

  it('is needed: a plain FastifyAdapter answers 500 to the same deep DTO field', async () => {
    const plain = await appOn(new FastifyAdapter());
    try {
      const response = await request(plain.getHttpServer())
        .post('/notes')
        .set('Content-Type', 'application/json')
        .send(`{"title":${arrays(5000)}}`);
      expect(response.status).toBe(500);
    } finally {
      await plain.close();
    }
  });
});
