// The floor under `npm run bench:start` (issue 21, goal 4): a NestJS service on the stack Keycard
// is built on, with none of Keycard's code, started from spawn to its first `GET /health` 200 like
// the services. What it costs to start is what any service on this stack pays before its own code
// runs. Two levels (STACK_FLOOR):
//   bare:   Nest on Fastify, TypeORM on an embedded SQLite file (better-sqlite3) with one entity
//           and its schema sync, one controller answering /health;
//   common: bare plus what every request of a Keycard service goes through: a global
//           ValidationPipe (class-validator, class-transformer), `@nestjs/swagger` (its decorators
//           are on every DTO), nestjs-pino request logging, prom-client's default metrics,
//           `@nestjs/terminus` and jose (the token verification of every request).
// Port from FLOOR_PORT, SQLite file from FLOOR_DATABASE. Plain CommonJS with the decorators applied
// as calls, so that it runs without a build.
'use strict';
require('reflect-metadata');
const { Controller, Get, Module, ValidationPipe } = require('@nestjs/common');
const { NestFactory } = require('@nestjs/core');
const { FastifyAdapter } = require('@nestjs/platform-fastify');
const { TypeOrmModule } = require('@nestjs/typeorm');
const { EntitySchema } = require('typeorm');

const level = process.env.STACK_FLOOR ?? 'bare';
if (!['bare', 'common'].includes(level))
  throw new Error(`STACK_FLOOR must be bare or common, not ${level}`);

const Item = new EntitySchema({
  name: 'item',
  columns: {
    id: { type: 'integer', primary: true, generated: true },
    name: { type: 'varchar' },
    createdAt: { type: 'datetime', createDate: true },
  },
});

class HealthController {
  health() {
    return { status: 'ok' };
  }
}
Controller()(HealthController);
Get('health')(
  HealthController.prototype,
  'health',
  Object.getOwnPropertyDescriptor(HealthController.prototype, 'health'),
);

function commonImports() {
  if (level !== 'common') return [];
  require('@nestjs/swagger');
  require('jose');
  const { collectDefaultMetrics } = require('prom-client');
  collectDefaultMetrics();
  const { TerminusModule } = require('@nestjs/terminus');
  const { LoggerModule } = require('nestjs-pino');
  return [TerminusModule, LoggerModule.forRoot({ pinoHttp: { level: 'info' } })];
}

class AppModule {}
Module({
  imports: [
    TypeOrmModule.forRoot({
      type: 'better-sqlite3',
      database: process.env.FLOOR_DATABASE,
      entities: [Item],
      synchronize: true,
    }),
    TypeOrmModule.forFeature([Item]),
    ...commonImports(),
  ],
  controllers: [HealthController],
})(AppModule);

async function main() {
  const app = await NestFactory.create(AppModule, new FastifyAdapter(), {
    bufferLogs: level === 'common',
  });
  if (level === 'common') {
    app.useLogger(app.get(require('nestjs-pino').Logger));
    app.useGlobalPipes(new ValidationPipe({ whitelist: true }));
  }
  app.enableShutdownHooks();
  await app.listen(Number(process.env.FLOOR_PORT), '127.0.0.1');
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
