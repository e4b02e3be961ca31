import {
  DynamicModule,
  FactoryProvider,
  Inject,
  Module,
  ModuleMetadata,
  OnApplicationShutdown,
  OnModuleDestroy,
  OnModuleInit,
} from '@nestjs/common';
import { APP_GUARD, HttpAdapterHost } from '@nestjs/core';
import { AccessTokenVerifier } from './access-token.verifier';
import { createApiKeyAuthenticator, KEYCARD_API_KEYS } from './api-keys/api-key-setup';
import type { ApiKeyAuthenticator } from './api-keys/api-key.authenticator';
import { KeycardAuthGuard } from './keycard-auth.guard';
import {
  KEYCARD_AUTH_OPTIONS,
  KEYCARD_KEY_RESOLVER,
  KeycardAuthOptions,
  KeyResolver,
  resolveAuthOptions,
  ResolvedKeycardAuthOptions,
} from './options';
import { RemoteJwksKeyResolver } from './remote-jwks.key-resolver';
import { REVOCATION_PROVIDERS } from './revocation/revocation-setup';
import { VerifiedTokenCache } from './verified-token.cache';

/** The two Fastify instance methods used (typed here so the lib does not depend on fastify). */
interface FastifyRequestDecorators {
  hasRequestDecorator(name: string): boolean;
  decorateRequest(name: string, value: null): unknown;
}

export interface KeycardAuthModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: FactoryProvider['inject'];
  /** Receives the `inject` providers, in order, and returns the options (typically from typed config). */
  useFactory: (...args: never[]) => KeycardAuthOptions | Promise<KeycardAuthOptions>;
}

function defaultKeyResolver(options: ResolvedKeycardAuthOptions): KeyResolver {
  return new RemoteJwksKeyResolver({
    issuer: options.issuer,
    internalUrl: options.internalUrl,
    minRefetchIntervalSeconds: options.jwksMinRefetchIntervalSeconds,
  });
}

function tokenCache(options: ResolvedKeycardAuthOptions, keys: KeyResolver): VerifiedTokenCache {
  const cache = new VerifiedTokenCache(options.tokenCacheMaxEntries);
  keys.onKeysRemoved?.((kids) => kids.forEach((kid) => cache.purgeKid(kid)));
  return cache;
}

/**
 * The shared auth module: import it once in the app's root module. It is global and installs
 * `KeycardAuthGuard` as the app guard, so every route needs credentials unless it is `@Public()`.
 * Everything it builds is per app (no passport, no process-wide registry): several apps with
 * different settings may run in one process.
 */
@Module({})
export class KeycardAuthModule implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  constructor(
    @Inject(KEYCARD_KEY_RESOLVER) private readonly keys: KeyResolver,
    @Inject(KEYCARD_API_KEYS) private readonly apiKeys: ApiKeyAuthenticator | null,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  static forRootAsync(options: KeycardAuthModuleAsyncOptions): DynamicModule {
    return {
      module: KeycardAuthModule,
      global: true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: KEYCARD_AUTH_OPTIONS,
          inject: options.inject ?? [],
          useFactory: async (...args: never[]) =>
            resolveAuthOptions(await options.useFactory(...args)),
        },
        {
          provide: KEYCARD_KEY_RESOLVER,
          inject: [KEYCARD_AUTH_OPTIONS],
          useFactory: (resolved: ResolvedKeycardAuthOptions) =>
            resolved.keyResolver ?? defaultKeyResolver(resolved),
        },
        {
          provide: VerifiedTokenCache,
          inject: [KEYCARD_AUTH_OPTIONS, KEYCARD_KEY_RESOLVER],
          useFactory: tokenCache,
        },
        {
          provide: KEYCARD_API_KEYS,
          inject: [KEYCARD_AUTH_OPTIONS, HttpAdapterHost],
          useFactory: createApiKeyAuthenticator,
        },
        AccessTokenVerifier,
        ...REVOCATION_PROVIDERS,
        { provide: APP_GUARD, useClass: KeycardAuthGuard },
      ],
      exports: [
        KEYCARD_AUTH_OPTIONS,
        KEYCARD_KEY_RESOLVER,
        VerifiedTokenCache,
        AccessTokenVerifier,
      ],
    };
  }

  /** Warms the JWKS cache without waiting for it: a down issuer must not stop start-up. */
  onModuleInit(): void {
    this.declareRequestUser();
    if (this.keys instanceof RemoteJwksKeyResolver) void this.keys.warm();
    this.apiKeys?.usage?.start();
  }

  /**
   * Fastify keeps request objects fast when their properties exist from construction, so
   * `request.user` is declared up front (Fastify's decorateRequest) instead of added per request.
   */
  private declareRequestUser(): void {
    const adapter = this.adapterHost.httpAdapter;
    if (adapter?.getType() !== 'fastify') return;
    const fastify = adapter.getInstance<FastifyRequestDecorators>();
    if (!fastify.hasRequestDecorator('user')) fastify.decorateRequest('user', null);
  }

  onModuleDestroy(): void {
    if (this.keys instanceof RemoteJwksKeyResolver) this.keys.close();
  }

  /**
   * The last usage report goes at shutdown rather than at module destroy: Nest stops the HTTP
   * server between the two, so the requests still in flight are counted too.
   */
  async onApplicationShutdown(): Promise<void> {
    await this.apiKeys?.usage?.stop();
  }
}
