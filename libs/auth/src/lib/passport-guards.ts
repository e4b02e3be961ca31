import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { invalidToken, KeycardError } from '@keycard/common';
import { JWT_STRATEGY } from './strategies/jwt.strategy';

function reasonOf(value: unknown): string {
  return value instanceof Error ? value.message : 'rejected';
}

/** Runs the passport JWT strategy; every failure becomes a 401 invalid_token. */
@Injectable()
export class JwtPassportGuard extends AuthGuard(JWT_STRATEGY) {
  override handleRequest<TUser>(err: unknown, user: unknown, info: unknown): TUser {
    if (err instanceof KeycardError) throw err;
    if (info instanceof KeycardError) throw info;
    if (err || !user) throw invalidToken(reasonOf(err ?? info));
    return user as TUser;
  }
}
