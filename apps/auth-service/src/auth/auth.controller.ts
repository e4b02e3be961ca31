import { Body, Controller, Get, HttpCode, Ip, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Public } from '@keycard/auth';
import { Clock, ErrorCode, KeycardError } from '@keycard/common';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { MfaLoginService } from '../mfa/mfa-login.service';
import { passwordSignIn } from '../auth-context/sign-in-context';
import { SessionsService } from '../sessions/sessions.service';
import { TokenPair, TokensService } from '../tokens/tokens.service';
import { LoginDto, RegisterDto } from '../users/users.dto';
import { PublicUser, toPublicUser } from '../users/public-user';
import { UsersService } from '../users/users.service';
import { RefreshDto } from './auth.dto';
import {
  ApiLogin,
  ApiLogout,
  ApiLogoutAll,
  ApiMe,
  ApiRefresh,
  ApiRegister,
} from './auth.responses';
import { PasswordLoginService } from './password-login.service';
import { RegistrationService } from './registration.service';

/** The JSON API for SPAs, mobile apps and scripts: register, password login, refresh, logout. */
@ApiTags('Password login and tokens')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly passwordLogin: PasswordLoginService,
    private readonly tokens: TokensService,
    private readonly sessions: SessionsService,
    private readonly registration: RegistrationService,
    private readonly clock: Clock,
    private readonly mfaLogin: MfaLoginService,
    private readonly audit: AuditService,
  ) {}

  @Public()
  @Post('register')
  @ApiRegister()
  async register(@Body() dto: RegisterDto, @Ip() ip: string): Promise<PublicUser> {
    return toPublicUser(await this.registration.register(dto, ip));
  }

  @Public()
  @Post('login')
  @ApiLogin()
  @HttpCode(200)
  async login(@Body() dto: LoginDto, @Ip() ip: string): Promise<TokenPair> {
    const user = await this.passwordLogin.authenticate(dto.email, dto.password, ip);
    const first = passwordSignIn(this.clock.now());
    // A user with a second factor gets an mfaToken for `POST /auth/login/mfa`, not tokens.
    const challenge = this.mfaLogin.challenge(user, first);
    if (challenge) throw MfaLoginService.required(challenge);
    return this.tokens.login(user, first);
  }

  @Public()
  @Post('refresh')
  @ApiRefresh()
  @HttpCode(200)
  refresh(@Body() dto: RefreshDto): Promise<TokenPair> {
    return this.tokens.refresh(dto.refreshToken);
  }

  @Public()
  @Post('logout')
  @ApiLogout()
  @HttpCode(204)
  logout(@Body() dto: RefreshDto): Promise<void> {
    return this.tokens.logout(dto.refreshToken);
  }

  @Post('logout-all')
  @ApiLogoutAll()
  @HttpCode(204)
  async logoutAll(@CurrentPrincipal() principal: Principal): Promise<void> {
    const userId = this.userIdOf(principal);
    await Promise.all([this.tokens.logoutAll(userId), this.sessions.destroyAllForUser(userId)]);
    void this.audit.record({
      type: AuditEventType.LogoutAll,
      outcome: 'success',
      subjectId: userId,
    });
  }

  @Get('me')
  @ApiMe()
  async me(@CurrentPrincipal() principal: Principal): Promise<PublicUser> {
    const user = await this.users.findById(this.userIdOf(principal));
    if (!user || user.disabled)
      throw new KeycardError(ErrorCode.InvalidToken, { reason: 'user gone' });
    return toPublicUser(user);
  }

  /** Only people have a profile: a service client's token or an API key is not enough here. */
  private userIdOf(principal: Principal): string {
    if (principal.scopeRestricted)
      throw new KeycardError(ErrorCode.Forbidden, { reason: 'not a user principal' });
    return principal.sub;
  }
}
