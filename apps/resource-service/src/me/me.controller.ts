import { Controller, Get } from '@nestjs/common';
import { AuthType, CurrentPrincipal, Principal } from '@keycard/auth';

export interface MeView {
  sub: string;
  roles: string[];
  /** Space-separated, like the token's `scope` claim. */
  scope: string;
  authType: AuthType;
}

@Controller('me')
export class MeController {
  @Get()
  me(@CurrentPrincipal() caller: Principal): MeView {
    return {
      sub: caller.sub,
      roles: caller.roles,
      scope: caller.scopes.join(' '),
      authType: caller.authType,
    };
  }
}
