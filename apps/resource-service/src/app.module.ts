import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { KeycardAuthModule } from '@keycard/auth';
import { AdminModule } from './admin/admin.module';
import { resourceConfig, ResourceSettings } from './config/resource.config';
import { DatabaseModule } from './database/database.module';
import { DocumentsModule } from './documents/documents.module';
import { HealthModule } from './health/health.module';
import { MeModule } from './me/me.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [resourceConfig] }),
    KeycardAuthModule.forRootAsync({
      inject: [resourceConfig.KEY],
      useFactory: (config: ResourceSettings) => ({
        issuer: config.issuer,
        audience: config.audience,
        internalUrl: config.internalUrl,
        jwksMinRefetchIntervalSeconds: config.jwksMinRefetchInterval,
      }),
    }),
    DatabaseModule,
    HealthModule,
    MeModule,
    DocumentsModule,
    AdminModule,
  ],
})
export class AppModule {}
