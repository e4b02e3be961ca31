import { Injectable } from '@nestjs/common';
import { EmailVerificationService } from '../account/email-verification.service';
import { AuditEventType } from '../audit/audit-events';
import { AuditService } from '../audit/audit.service';
import { RegisterThrottle } from '../throttle/register-throttle.service';
import { assertAcceptablePassword } from '../users/password-policy';
import type { UserEntity } from '../users/user.entity';
import { UsersService } from '../users/users.service';

export interface Registration {
  email: string;
  password: string;
  name?: string;
}

/**
 * Creating an account, the same way from the JSON API (`POST /auth/register`) and the sign-up
 * page: limited per client IP, then the user row, then the audit event.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly users: UsersService,
    private readonly throttle: RegisterThrottle,
    private readonly verification: EmailVerificationService,
    private readonly audit: AuditService,
  ) {}

  async register(input: Registration, ip: string): Promise<UserEntity> {
    await this.throttle.hit(ip);
    assertAcceptablePassword(input.password);
    const user = await this.users.register(input.email, input.password, input.name);
    void this.audit.record({
      type: AuditEventType.UserRegistered,
      outcome: 'success',
      actor: { type: 'user', id: user.id },
      subjectId: user.id,
    });
    this.verification.sendInBackground(user);
    return user;
  }
}
