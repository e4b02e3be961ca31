import type { DynamicModule, InjectionToken, Provider } from '@nestjs/common';
import { Module } from '@nestjs/common';
import { Clock, SystemClock } from '@keycard/common';
import type { KeycardSettings } from '../app/settings';
import { featureSettingsProviders } from '../app/settings.module';
import { authConfig } from '../config/auth.config';

function tokenOf(provider: Provider): InjectionToken {
  return typeof provider === 'function' ? provider : provider.provide;
}

/**
 * Test-only: what AppModule provides to every module — the typed settings (the shared ones and
 * each feature's, from `config`) and the one clock — for module-level specs, plus `extra` global
 * providers (e.g. `REDIS_CLIENT`). Specs pass a
 * `ManualClock` to move time by hand; the default is the real clock.
 */
@Module({})
export class TestGlobalsModule {
  static with(
    config: Partial<KeycardSettings>,
    clock: Clock = new SystemClock(),
    extra: Provider[] = [],
  ): DynamicModule {
    const providers: Provider[] = [
      { provide: authConfig.KEY, useValue: config },
      ...featureSettingsProviders(),
      { provide: Clock, useValue: clock },
      ...extra,
    ];
    return {
      module: TestGlobalsModule,
      global: true,
      providers,
      exports: providers.map(tokenOf),
    };
  }
}
