import { Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { authConfig, AuthSettings } from '../config/auth.config';
import { AdminKeysController } from './admin-keys.controller';
import { JwksCacheControlInterceptor } from './cache-control.interceptor';
import { KeyCipher } from './key-cipher';
import { KeyLifecycle } from './key-lifecycle';
import { KeyGenerator } from './key-material';
import { KeyRotationScheduler } from './key-rotation.scheduler';
import { createKeyCipher } from './keys-secret';
import { KeysService } from './keys.service';
import { SigningKeyAgeMetric } from './signing-key-age.metric';
import { SigningKeyEntity } from './signing-key.entity';
import { SigningKeyStore } from './signing-key.store';
import { WellKnownController } from './well-known.controller';

/**
 * RS256 signing keys: storage, lifecycle, JWKS and discovery documents, admin routes and the
 * scheduled rotation. Expects, app-wide: the typed `authConfig`, `Clock` (`ClockModule`) and the
 * TypeORM connection.
 */
@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  controllers: [WellKnownController, AdminKeysController],
  providers: [
    {
      provide: KeyCipher,
      inject: [authConfig.KEY],
      useFactory: (config: AuthSettings) => createKeyCipher(config, new Logger('KeysModule')),
    },
    KeyGenerator,
    SigningKeyStore,
    KeyLifecycle,
    KeysService,
    KeyRotationScheduler,
    JwksCacheControlInterceptor,
    SigningKeyAgeMetric,
  ],
  exports: [KeysService],
})
export class KeysModule {}
