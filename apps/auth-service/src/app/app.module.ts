import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { KeycardAuthModule } from '@keycard/auth';
import { AuthModule } from '../auth/auth.module';
import { authConfig, AuthSettings } from '../config/auth.config';
import { DatabaseModule } from '../database/database.module';
import { HealthController } from '../health/health.controller';
import { KeysModule } from '../keys/keys.module';
import { KeysService } from '../keys/keys.service';
import { RedisModule } from '../redis/redis.module';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { ClockModule } from './clock.module';

@Module({
  imports: [
    ConfigModule.forRoot({ isGlobal: true, ignoreEnvFile: true, load: [authConfig] }),
    ClockModule,
    DatabaseModule,
    RedisModule,
    KeysModule,
    // The auth-service verifies its own tokens against its key table, not over HTTP. No
    // verified-token cache here: an emergency key revocation must stop tokens at once.
    KeycardAuthModule.forRootAsync({
      imports: [KeysModule],
      inject: [authConfig.KEY, KeysService],
      useFactory: (config: AuthSettings, keys: KeysService) => ({
        issuer: config.issuer,
        audience: config.audience,
        tokenCacheMaxEntries: 0,
        keyResolver: {
          getKey: (kid: string) => keys.getVerificationKey(kid),
          onKeysRemoved: (listener: (kids: string[]) => void) => keys.onKeysRemoved(listener),
        },
      }),
    }),
    UsersModule,
    TokensModule,
    AuthModule,
  ],
  controllers: [HealthController],
})
export class AppModule {}
