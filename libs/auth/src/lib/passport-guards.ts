import { Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ErrorCode, invalidToken, KeycardError } from '@keycard/common';
import { API_KEY_STRATEGY } from './strategies/api-key.strategy';
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

/** Runs the passport API-key strategy; a refused key is a 401 invalid_api_key. */
@Injectable()
export class ApiKeyPassportGuard extends AuthGuard(API_KEY_STRATEGY) {
  override handleRequest<TUser>(err: unknown, user: unknown): TUser {
    if (err instanceof KeycardError) throw err;
    // The verifier itself failed (e.g. the auth-service is unreachable): not the caller's fault.
    if (err)
      throw new KeycardError(ErrorCode.Unavailable, {
        reason: `API key check failed: ${reasonOf(err)}`,
      });
    if (!user) throw new KeycardError(ErrorCode.InvalidApiKey, { reason: 'API key not accepted' });
    return user as TUser;
  }
}
