import { Public } from '@keycard/auth';
import { Controller, Get, Inject, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { authConfig, AuthSettings } from '../config/auth.config';
import { JwksCacheControlInterceptor } from './cache-control.interceptor';
import { discoveryMetadata } from './discovery';
import { ApiAuthorizationServerMetadata, ApiJwks, ApiOpenIdConfiguration } from './keys.responses';
import { KeysService } from './keys.service';

@Public()
@ApiTags('Keys and discovery')
@Controller('.well-known')
@UseInterceptors(JwksCacheControlInterceptor)
export class WellKnownController {
  private readonly metadata: Record<string, string | string[] | boolean>;

  constructor(
    private readonly keys: KeysService,
    @Inject(authConfig.KEY) config: AuthSettings,
  ) {
    this.metadata = discoveryMetadata(config.issuer);
  }

  @Get('jwks.json')
  @ApiJwks()
  jwks() {
    return this.keys.jwks();
  }

  @Get('openid-configuration')
  @ApiOpenIdConfiguration()
  openidConfiguration() {
    return this.metadata;
  }

  @Get('oauth-authorization-server')
  @ApiAuthorizationServerMetadata()
  authorizationServerMetadata() {
    return this.metadata;
  }
}
