import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { KeycardAuthModule } from '@keycard/auth';
import { RateLimitStore } from '@keycard/common';
import { AdminModule } from './admin/admin.module';
import { keycardAuthOptions } from './config/keycard-auth.options';
import { resourceConfig, ResourceSettings } from './config/resource.config';
import { DatabaseModule } from './database/database.module';
import { DocumentsModule } from './documents/documents.module';
import { HealthModule } from './health/health.module';
import { MeModule } from './me/me.module';
import { RateLimitModule } from './rate-limit/rate-limit.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [resourceConfig] }),
    KeycardAuthModule.forRootAsync({
      imports: [RateLimitModule],
      inject: [resourceConfig.KEY, RateLimitStore],
      useFactory: (config: ResourceSettings, store: RateLimitStore) =>
        keycardAuthOptions(config, store),
    }),
    DatabaseModule,
    HealthModule,
    MeModule,
    DocumentsModule,
    AdminModule,
  ],
})
export class AppModule {}
