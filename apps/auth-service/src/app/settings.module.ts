import type { DynamicModule, Provider } from '@nestjs/common';
import { Global, Module } from '@nestjs/common';
import { ACCOUNT_SETTINGS } from '../account/account-settings';
import { authConfig } from '../config/auth.config';
import { GOOGLE_SETTINGS } from '../google/google-settings';
import { MAIL_SETTINGS } from '../mail/mail-settings';
import { MFA_SETTINGS } from '../mfa/mfa-settings';
import { RETENTION_SETTINGS } from '../retention/retention-settings';
import { BOOTSTRAP_ADMIN } from '../users/bootstrap-admin-settings';
import { RETURN_TO_POLICY, returnToPolicy } from '../web/return-to-policy';
import type { KeycardSettings } from './settings';
import { loadSettings } from './settings';

/**
 * Each feature's settings, read from the one set of settings under `authConfig.KEY`: a test that
 * overrides `authConfig.KEY` (`testing/test-config.ts`) changes every feature's settings with it.
 */
export function featureSettingsProviders(): Provider[] {
  const slice = (provide: symbol, read: (settings: Partial<KeycardSettings>) => unknown) => ({
    provide,
    inject: [authConfig.KEY],
    // `?? null`: a provider's value is never undefined (a test's partial settings may lack it).
    useFactory: (settings: Partial<KeycardSettings>) => read(settings) ?? null,
  });
  return [
    slice(ACCOUNT_SETTINGS, (settings) => settings.account),
    slice(GOOGLE_SETTINGS, (settings) => settings.google),
    // Where a browser may go after a sign-in: the issuer's origin and Google's allowlist.
    slice(RETURN_TO_POLICY, (settings) =>
      settings.issuer === undefined
        ? undefined
        : returnToPolicy(settings.issuer, settings.google?.returnToAllowlist ?? []),
    ),
    slice(MAIL_SETTINGS, (settings) => settings.mail),
    slice(MFA_SETTINGS, (settings) => settings.mfa),
    slice(RETENTION_SETTINGS, (settings) => settings.retention),
    slice(BOOTSTRAP_ADMIN, (settings) => settings.bootstrapAdmin),
  ];
}

/**
 * The settings of the app, global: `authConfig.KEY` (the shared settings of `config/`, with every
 * feature's beside them) and each feature's own token. Read from the environment once.
 */
@Global()
@Module({})
export class SettingsModule {
  static forRoot(): DynamicModule {
    const providers: Provider[] = [
      { provide: authConfig.KEY, useFactory: () => loadSettings(process.env) },
      ...featureSettingsProviders(),
    ];
    return {
      module: SettingsModule,
      providers,
      exports: [
        authConfig.KEY,
        ACCOUNT_SETTINGS,
        GOOGLE_SETTINGS,
        RETURN_TO_POLICY,
        MAIL_SETTINGS,
        MFA_SETTINGS,
        RETENTION_SETTINGS,
        BOOTSTRAP_ADMIN,
      ],
    };
  }
}
