import { Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '@keycard/common';
import { redirectOrigins } from '../clients/client-registration';
import { ClientsService } from '../clients/clients.service';

/** The endpoints a browser app calls from its own origin (API.md section 5, CORS). */
const CORS_PATHS = new Set(['/oauth/token', '/oauth/userinfo', '/oauth/revoke']);
const ORIGINS_TTL_MS = 5_000;

export function isCorsPath(url: string): boolean {
  const path = url.split('?', 1)[0];
  return CORS_PATHS.has(path) || path.startsWith('/.well-known/');
}

/**
 * The origins allowed to call those endpoints from a browser: the origins of the redirect URIs of
 * active `spa` clients, read at most every 5 s (a new SPA works within that time). No credentials
 * are ever allowed: these endpoints take a bearer token or a client id, never the cookie.
 */
@Injectable()
export class AppCorsOrigins {
  private cached: { origins: Set<string>; expiresAt: number } | undefined;

  constructor(
    private readonly clients: ClientsService,
    private readonly clock: Clock,
  ) {}

  async allows(origin: string): Promise<boolean> {
    const now = this.clock.now();
    if (this.cached === undefined || this.cached.expiresAt <= now) {
      const spas = (await this.clients.list()).filter(
        (client) => client.type === 'spa' && client.revokedAt === null,
      );
      const origins = new Set(spas.flatMap((client) => redirectOrigins(client.redirectUris)));
      this.cached = { origins, expiresAt: now + ORIGINS_TTL_MS };
    }
    return this.cached.origins.has(origin);
  }

  /**
   * Adds the CORS answer to every request of those paths; a preflight is answered here. A
   * callback hook, so that the other requests (nearly all) pass without a promise.
   */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request: FastifyRequest, reply: FastifyReply, done) => {
      if (!isCorsPath(request.url)) return done();
      void reply.header('Vary', 'Origin');
      this.answer(request, reply).then((answered) => {
        // A preflight answered here must not go on to routing (no route answers OPTIONS).
        if (!answered) done();
      }, done);
    });
  }

  /** Allows the request's origin when it may call; true when this answered it (a preflight). */
  private async answer(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !(await this.allows(origin))) return false;
    void reply.header('Access-Control-Allow-Origin', origin);
    if (request.method !== 'OPTIONS' || !request.headers['access-control-request-method'])
      return false;
    void reply
      .code(204)
      .header('Access-Control-Allow-Methods', 'GET, POST')
      .header('Access-Control-Allow-Headers', 'Authorization, Content-Type')
      .header('Access-Control-Max-Age', '600')
      .send();
    return true;
  }
}
