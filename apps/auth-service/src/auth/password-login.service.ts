import { Injectable } from '@nestjs/common';
import { ErrorCode, KeycardError } from '@keycard/common';
import { LoginThrottleService } from '../throttle/login-throttle.service';
import { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';

/**
 * The one password check behind every sign-in form and API: throttled per account and per IP
 * before the hash is compared, and the same answer for an unknown email and a wrong password.
 */
@Injectable()
export class PasswordLoginService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: LoginThrottleService,
  ) {}

  async authenticate(email: string, password: string, ip: string): Promise<UserEntity> {
    await this.throttle.beginAttempt(email, ip);
    const user = await this.users.verifyCredentials(email, password);
    if (!user) throw new KeycardError(ErrorCode.InvalidCredentials, { reason: 'password login failed' });
    await this.throttle.recordSuccess(email, ip);
    return user;
  }
}
