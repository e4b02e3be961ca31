import { LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { BODY_LIMIT_BYTES, configureHttpApp } from '@keycard/common';
import { AppModule } from './app.module';

/** The resource-service app on Fastify, configured but not listening (main.ts and the HTTP spec share it). */
export async function createApp(
  options: { logger?: LogLevel[] | false } = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule,
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    { logger: options.logger ?? ['log', 'warn', 'error'] },
  );
  configureHttpApp(app);
  return app;
}
