import { Body, Controller, Header, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Public } from '@keycard/auth';
import { TokenPair, TokensService } from '../tokens/tokens.service';
import { MfaLoginDto } from './mfa.dto';
import { ApiLoginMfa } from './mfa.responses';
import { MfaLoginService } from './mfa-login.service';

/** `POST /auth/login/mfa`: the second step of `POST /auth/login` for users with a second factor. */
@ApiTags('Password login and tokens')
@Controller('auth')
export class MfaLoginController {
  constructor(
    private readonly mfaLogin: MfaLoginService,
    private readonly tokens: TokensService,
  ) {}

  @Public()
  @Post('login/mfa')
  @ApiLoginMfa()
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  async loginMfa(@Body() dto: MfaLoginDto): Promise<TokenPair> {
    const { user, signIn } = await this.mfaLogin.completeWithCode(dto.mfaToken, dto.code);
    return this.tokens.login(user, signIn);
  }
}
