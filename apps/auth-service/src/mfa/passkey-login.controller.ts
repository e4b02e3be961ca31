import { Body, Controller, Header, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Public } from '@keycard/auth';
import { authConfig, AuthSettings } from '../config/auth.config';
import { assertSameOrigin } from '../sessions/csrf';
import { readCookie } from '../sessions/session-cookies';
import { TokenPair, TokensService } from '../tokens/tokens.service';
import { ApiPasskeyLogin, ApiPasskeyLoginOptions, ApiSessionPasskeyLogin } from './mfa.responses';
import { MFA_COOKIE, MfaSessionSteps } from './mfa-session-steps';
import { PasskeyLoginService } from './passkey-login.service';
import { PasskeyLoginDto, PasskeyOptionsDto } from './passkeys.dto';
import type { CeremonyStart } from './passkeys.service';

/**
 * Passkey sign-in: `POST /auth/login/passkey/options` then `POST /auth/login/passkey` for tokens,
 * or `POST /session/login/passkey` for a browser session (the sign-in page's script). With an
 * `mfaToken` (body, or the second-step cookie of the page) the passkey is the second factor.
 */
@ApiTags('Password login and tokens')
@Controller()
export class PasskeyLoginController {
  private readonly issuerOrigin: string;

  constructor(
    private readonly passkeyLogin: PasskeyLoginService,
    private readonly tokens: TokensService,
    private readonly steps: MfaSessionSteps,
    @Inject(authConfig.KEY) config: AuthSettings,
  ) {
    this.issuerOrigin = new URL(config.issuer).origin;
  }

  @Public()
  @Post('auth/login/passkey/options')
  @ApiPasskeyLoginOptions()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  options(
    @Body() dto: PasskeyOptionsDto,
    @Req() request: FastifyRequest,
  ): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON>> {
    return this.passkeyLogin.options(dto.mfaToken ?? readCookie(request, MFA_COOKIE));
  }

  @Public()
  @Post('auth/login/passkey')
  @ApiPasskeyLogin()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async login(@Body() dto: PasskeyLoginDto): Promise<TokenPair> {
    const { user, signIn } = await this.passkeyLogin.complete(
      dto.ceremony,
      dto.response,
      dto.mfaToken,
    );
    return this.tokens.login(user, signIn);
  }

  /** JSON from the sign-in page's script; the answer says where to go next (`location`). */
  @Public()
  @Post('session/login/passkey')
  @ApiSessionPasskeyLogin()
  async session(
    @Body() dto: PasskeyLoginDto,
    @Req() request: FastifyRequest,
    @Res() response: FastifyReply,
  ): Promise<void> {
    // JSON only (no form): a cross-site page cannot send it without a CORS preflight.
    assertSameOrigin(request, this.issuerOrigin);
    const completed = await this.passkeyLogin.complete(
      dto.ceremony,
      dto.response,
      dto.mfaToken ?? readCookie(request, MFA_COOKIE),
    );
    await this.steps.startSession(completed, request, response);
  }
}
