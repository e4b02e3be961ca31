import { Inject, Module, type OnModuleInit } from '@nestjs/common';
import { KEYCARD_KEY_RESOLVER, type KeyResolver, RemoteJwksKeyResolver } from '@keycard/auth';
import { ReadinessService } from '@keycard/observability';
import { HealthController } from './health.controller';

/**
 * `GET /health`, and the issuer as a readiness component: not ready until the JWKS has loaded
 * once (before that every bearer token is refused), ready from then on even while the issuer is
 * unreachable — cached keys keep verifying — with `reachable: false` and the reason shown.
 */
@Module({ controllers: [HealthController] })
export class HealthModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    @Inject(KEYCARD_KEY_RESOLVER) private readonly keys: KeyResolver,
  ) {}

  onModuleInit(): void {
    const keys = this.keys;
    if (!(keys instanceof RemoteJwksKeyResolver)) return;
    this.readiness.addCheck('issuer', () => {
      const { ready, ...details } = keys.health();
      return { up: ready, details };
    });
  }
}
