import { Body, Controller, Header, Headers, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiTags } from '@nestjs/swagger';
import { Public } from '@keycard/auth';
import { IntrospectionResponse, IntrospectionService } from './introspection.service';
import { OAuthParams, OAuthRequest } from './oauth-params';
import { OAuthTokenRequestDoc } from './oauth-token.doc';
import { ApiOAuthIntrospect, ApiOAuthRevoke, ApiOAuthToken } from './oauth.responses';
import { OAuthTokenResponse, OAuthTokenService } from './oauth-token.service';
import { RevocationService } from './revocation.service';

function oauthRequest(authorization: string | undefined, body: unknown): OAuthRequest {
  return { authorization, params: new OAuthParams(body) };
}

/**
 * The standard OAuth 2.0 endpoints. `@Public()` for the bearer guard: each one authenticates the
 * calling client itself. Bodies are form-encoded (JSON is accepted too) and parsed by
 * `OAuthParams`, not the ValidationPipe, so that errors keep their RFC 6749 codes.
 */
@Public()
@ApiTags('OAuth 2.0')
@Controller('oauth')
export class OAuthController {
  constructor(
    private readonly tokens: OAuthTokenService,
    private readonly introspection: IntrospectionService,
    private readonly revocation: RevocationService,
  ) {}

  @Post('token')
  @ApiOAuthToken()
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: OAuthTokenRequestDoc })
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  token(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<OAuthTokenResponse> {
    return this.tokens.token(oauthRequest(authorization, body));
  }

  @Post('introspect')
  @ApiOAuthIntrospect()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  introspect(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<IntrospectionResponse> {
    return this.introspection.introspect(oauthRequest(authorization, body));
  }

  @Post('revoke')
  @ApiOAuthRevoke()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  revoke(
    @Headers('authorization') authorization: string | undefined,
    @Body() body: unknown,
  ): Promise<void> {
    return this.revocation.revoke(oauthRequest(authorization, body));
  }
}
