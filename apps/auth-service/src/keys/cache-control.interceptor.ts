import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { Observable, tap } from 'rxjs';
import { authConfig, AuthSettings } from '../config/auth.config';

/**
 * `Cache-Control: public, max-age=<JWKS_MAX_AGE>` on successful responses only, so an error is
 * never cached by a shared cache.
 */
@Injectable()
export class JwksCacheControlInterceptor implements NestInterceptor {
  private readonly value: string;

  constructor(
    @Inject(authConfig.KEY) config: AuthSettings,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.value = `public, max-age=${Math.floor(config.jwksMaxAge)}`;
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const response: unknown = context.switchToHttp().getResponse();
    return next
      .handle()
      .pipe(
        tap(() => this.adapterHost.httpAdapter.setHeader(response, 'Cache-Control', this.value)),
      );
  }
}
