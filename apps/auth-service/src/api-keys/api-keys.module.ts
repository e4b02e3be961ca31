import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ClientsModule } from '../clients/clients.module';
import { authConfig, AuthSettings } from '../config/auth.config';
import { API_KEY_INTROSPECTOR, API_KEY_REVOKER } from '../oauth/api-key-hooks';
import { UsersModule } from '../users/users.module';
import { AdminApiKeysController } from './admin-api-keys.controller';
import { ApiKeyIntrospectionService } from './api-key-introspection.service';
import { ApiKeyScopePolicy } from './api-key-scopes';
import {
  API_KEY_SETTINGS,
  ApiKeyConfigSource,
  ApiKeySettings,
  apiKeySettingsFrom,
} from './api-key-settings';
import { ApiKeyUsageEntity } from './api-key-usage.entity';
import { ApiKeyUsageService } from './api-key-usage.service';
import { ApiKeyEntity } from './api-key.entity';
import { ApiKeysController, ApiKeyUsageReportsController } from './api-keys.controller';
import { ApiKeysService } from './api-keys.service';
import { ServiceClientGuard } from './service-client.guard';

/**
 * `/api-keys` for users, `/api-keys/usage-reports` for service clients, and the API-key side of
 * `/oauth/introspect` and `/oauth/revoke` (it provides `API_KEY_INTROSPECTOR` and `API_KEY_REVOKER`).
 * Needs the global `Clock` and `authConfig` providers and the TypeORM connection.
 */
@Module({
  imports: [
    TypeOrmModule.forFeature([ApiKeyEntity, ApiKeyUsageEntity]),
    UsersModule,
    ClientsModule,
  ],
  controllers: [ApiKeysController, ApiKeyUsageReportsController, AdminApiKeysController],
  providers: [
    {
      provide: API_KEY_SETTINGS,
      inject: [authConfig.KEY],
      // `API_KEY_RATE_LIMIT` / `API_KEY_SCOPES` apply as soon as the config carries them.
      useFactory: (config: AuthSettings & ApiKeyConfigSource): ApiKeySettings =>
        apiKeySettingsFrom(config),
    },
    {
      provide: ApiKeyScopePolicy,
      inject: [API_KEY_SETTINGS],
      useFactory: (settings: ApiKeySettings) => new ApiKeyScopePolicy(settings.scopes),
    },
    ApiKeysService,
    ApiKeyUsageService,
    ApiKeyIntrospectionService,
    ServiceClientGuard,
    { provide: API_KEY_INTROSPECTOR, useExisting: ApiKeyIntrospectionService },
    { provide: API_KEY_REVOKER, useExisting: ApiKeyIntrospectionService },
  ],
  exports: [ApiKeysService, ApiKeyIntrospectionService, API_KEY_INTROSPECTOR, API_KEY_REVOKER],
})
export class ApiKeysModule {}
