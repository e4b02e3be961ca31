import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { assertPostgresReachable, assertRedisReachable, runMain } from '@keycard/common';
import { installGracefulShutdown, useStructuredLogger } from '@keycard/observability';
import { AppModule } from './app/app.module';
import { CliModule } from './app/cli.module';
import { authHttpAdapter, configureAuthApp } from './app/configure-auth-app';
import { runCommand } from './cli/cli';
import { CliLogger } from './cli/cli-logger';
import { loadSettings } from './app/settings';

runMain(async () => {
  // Configuration and reachability are checked before Nest starts, so a bad setting ends start-up
  // with one line naming the variable rather than a stack trace.
  const config = loadSettings(process.env);
  if (config.databaseUrl) await assertPostgresReachable(config.databaseUrl, 'DATABASE_URL');
  if (config.redisUrl) await assertRedisReachable(config.redisUrl);
  const command = process.argv.slice(2);
  if (command.length > 0) {
    const context = await NestFactory.createApplicationContext(CliModule, {
      logger: new CliLogger(),
      abortOnError: false,
    });
    const code = await runCommand(context, command);
    await context.close();
    process.exit(code);
  }
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, authHttpAdapter(config), {
    abortOnError: false,
    // Held until useStructuredLogger: start-up lines come out once, as JSON.
    bufferLogs: true,
  });
  useStructuredLogger(app);
  configureAuthApp(app);
  installGracefulShutdown(app, {
    drainMs: config.observability.shutdownDrainMs,
    timeoutMs: config.observability.shutdownTimeoutMs,
  });
  await app.listen(config.port, config.host);
  const url = config.issuer;
  new Logger('auth-service').log(
    `auth-service ready on port ${config.port}: sign in at ${url}/login, ` +
      `API explorer ${url}/docs, issuer ${url}`,
  );
});
