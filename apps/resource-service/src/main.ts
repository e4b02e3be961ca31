import { Logger } from '@nestjs/common';
import { assertPostgresReachable, assertRedisReachable, runMain } from '@keycard/common';
import { installGracefulShutdown } from '@keycard/observability';
import type { AddressInfo } from 'node:net';
import { createApp } from './app.factory';
import { loadResourceConfig } from './config/resource.config';

runMain(async () => {
  const config = loadResourceConfig(process.env);
  if (config.databaseUrl)
    await assertPostgresReachable(config.databaseUrl, 'RESOURCE_DATABASE_URL');
  if (config.redisUrl) await assertRedisReachable(config.redisUrl);
  const app = await createApp({ structuredLogs: true, trustProxy: config.trustProxy });
  installGracefulShutdown(app, {
    drainMs: config.observability.shutdownDrainMs,
    timeoutMs: config.observability.shutdownTimeoutMs,
  });
  await app.listen(config.port, config.host);
  const { port } = app.getHttpServer().address() as AddressInfo;
  const host = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host;
  Logger.log(
    `resource-service ready on http://${host}:${port} (API explorer /docs), ` +
      `verifying tokens of ${config.issuer}`,
    'ResourceService',
  );
  if (config.authClientId === undefined) {
    Logger.warn(
      'AUTH_CLIENT_ID / AUTH_CLIENT_SECRET are not set: API keys (X-API-Key) are not accepted',
      'ResourceService',
    );
  }
});
