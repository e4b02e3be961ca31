import { Controller, Get, Header, HttpCode, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal } from '@keycard/auth';
import { ErrorCode, invalidToken, KeycardError } from '@keycard/common';
import { UsersService } from '../users/users.service';
import { scopedClaims } from './id-token.service';

class UserInfoResponse {
  @ApiProperty({ example: '0b7c3c1e-5d6f-4a7e-9c1a-2f3e4d5c6b7a' })
  sub!: string;

  @ApiPropertyOptional({ example: 'ada@example.com', description: 'with scope email' })
  email?: string;

  @ApiPropertyOptional({ example: true, description: 'with scope email' })
  email_verified?: boolean;

  @ApiPropertyOptional({ example: 'Ada Lovelace', description: 'with scope profile' })
  name?: string;
}

/**
 * `/oauth/userinfo` (OpenID Connect Core §5.3): the claims of the access token's user that its
 * scope grants. Only a bearer access token with `openid` in its scope: never the session cookie
 * or an API key, which carry no app's grant.
 */
@ApiTags('OAuth 2.0')
@ApiBearerAuth()
@Controller('oauth/userinfo')
export class UserInfoController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: "The signed-in user's claims, by the token's scope" })
  @ApiOkResponse({ type: UserInfoResponse })
  @Header('Cache-Control', 'no-store')
  get(@CurrentPrincipal() principal: Principal): Promise<Record<string, unknown>> {
    return this.claims(principal);
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: "The signed-in user's claims, by the token's scope (POST)" })
  @ApiOkResponse({ type: UserInfoResponse })
  @Header('Cache-Control', 'no-store')
  post(@CurrentPrincipal() principal: Principal): Promise<Record<string, unknown>> {
    return this.claims(principal);
  }

  private async claims(principal: Principal): Promise<Record<string, unknown>> {
    if (principal.authType !== 'jwt' || principal.scopeRestricted) {
      throw invalidToken('userinfo takes a user access token only');
    }
    if (!principal.scopes.includes('openid')) {
      throw new KeycardError(ErrorCode.InsufficientScope, {
        message: 'The access token has no openid scope',
        headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope", scope="openid"' },
      });
    }
    const user = await this.users.findById(principal.sub);
    if (user === null || user.disabled) throw invalidToken('user disabled or deleted');
    return scopedClaims(user, principal.scopes);
  }
}
