import { ExecutionContext, Injectable } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { ErrorCode, invalidToken, KeycardError } from '@keycard/common';
import type { VerifiedApiKey } from './api-keys/api-key-verifier';
import { describeError } from './discovery';
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

/**
 * Runs the passport `X-API-Key` strategy and returns the verified key: 401 invalid_api_key for a
 * key not accepted, 503 when the auth-service cannot answer (never a 500, never an accept).
 */
@Injectable()
export class ApiKeyPassportGuard extends AuthGuard(API_KEY_STRATEGY) {
  async verify(context: ExecutionContext): Promise<VerifiedApiKey> {
    await this.canActivate(context);
    return context.getArgByIndex<{ user: VerifiedApiKey }>(0).user;
  }

  override handleRequest<TUser>(err: unknown, user: unknown): TUser {
    if (err instanceof KeycardError) throw err;
    if (err) {
      throw new KeycardError(ErrorCode.Unavailable, {
        reason: `API key check failed: ${describeError(err)}`,
      });
    }
    if (!user) throw new KeycardError(ErrorCode.InvalidApiKey, { reason: 'API key not accepted' });
    return user as TUser;
  }
}
