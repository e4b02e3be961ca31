import { Controller, Get, Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiTags } from '@nestjs/swagger';
import { KEYCARD_KEY_RESOLVER, Public, RemoteJwksKeyResolver } from '@keycard/auth';
import { ApiHealth } from './health.responses';
import { ReadinessService } from './readiness';

/** `GET /health`: 200 `{status: "ok"}` whenever the process serves requests (the contract's probe). */
@ApiTags('Operations')
@Controller('health')
export class ServiceHealthController {
  @Public()
  @Get()
  @ApiHealth()
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }
}

/**
 * Every Keycard service's `GET /health`, plus — in a service that verifies tokens against a
 * remote issuer's JWKS — the issuer as a readiness component: `/health/ready` answers 503 until
 * the keys have loaded once (before that every bearer token is refused), then 200 even while the
 * issuer is unreachable, since cached keys keep verifying; `reachable` and the last error are
 * shown either way. Import it beside `ObservabilityModule` and `KeycardAuthModule`.
 */
@Module({ controllers: [ServiceHealthController] })
export class ServiceHealthModule implements OnModuleInit {
  constructor(
    private readonly readiness: ReadinessService,
    private readonly moduleRef: ModuleRef,
  ) {}

  onModuleInit(): void {
    const keys = this.keyResolver();
    if (!(keys instanceof RemoteJwksKeyResolver)) return;
    this.readiness.addCheck('issuer', () => {
      const { ready, ...details } = keys.health();
      return { up: ready, details };
    });
  }

  private keyResolver(): unknown {
    try {
      return this.moduleRef.get(KEYCARD_KEY_RESOLVER, { strict: false });
    } catch {
      return undefined; // no KeycardAuthModule in this app
    }
  }
}
