import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CLIENT_ID = 'resource-test';
export const CLIENT_SECRET = 'resource-test-secret-0123456789';

/** One request the stand-in received. */
export interface Received {
  authorization?: string;
  body: string;
}

/** What the stand-in answers to `/oauth/introspect` for a token: a status and a JSON body. */
export type IntrospectionHandler = (token: string) => { status: number; body: unknown };

/**
 * A stand-in auth-service on 127.0.0.1 for unit specs: a discovery document naming
 * `introspection_endpoint`, `POST /oauth/introspect` answered by `handler`, and
 * `POST /api-keys/usage-reports` answered with `usageStatus`. Every request is recorded.
 */
export interface IntrospectionServer {
  url: string;
  /** Announced issuer; defaults to `url`. */
  issuer: string;
  handler: IntrospectionHandler;
  /** Milliseconds to wait before answering an introspection (for concurrency tests). */
  delayMs: number;
  usageStatus: number;
  /** Statuses for the next usage reports, in order, before `usageStatus` applies again. */
  usageStatuses: number[];
  discoveries: number;
  introspections: Received[];
  usageReports: Received[];
  close(): Promise<void>;
}

/** An active API-key answer like the auth-service's, with `overrides`. */
export function activeKeyAnswer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    active: true,
    token_type: 'api_key',
    sub: 'user-1',
    scope: 'documents:read documents:write',
    key_id: '5b0e7e0c-7f7a-4c2e-9d3c-2f3f1b7a9e11',
    key_type: 'sk',
    environment: 'live',
    rate_limit: 600,
    roles: [],
    ...overrides,
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (text += chunk));
    request.on('end', () => resolve(text));
    request.on('error', reject);
  });
}

export async function startIntrospectionServer(issuer?: string): Promise<IntrospectionServer> {
  const state: IntrospectionServer = {
    url: '',
    issuer: issuer ?? '',
    handler: () => ({ status: 200, body: activeKeyAnswer() }),
    delayMs: 0,
    usageStatus: 204,
    usageStatuses: [],
    discoveries: 0,
    introspections: [],
    usageReports: [],
    close: async () => undefined,
  };
  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(body === undefined ? '' : JSON.stringify(body));
    };
    const received = {
      authorization: request.headers.authorization,
      body: await readBody(request),
    };
    if (request.url === '/.well-known/openid-configuration') {
      state.discoveries++;
      return send(200, {
        issuer: state.issuer,
        introspection_endpoint: `${state.issuer}/oauth/introspect`,
      });
    }
    if (request.method === 'POST' && request.url === '/oauth/introspect') {
      state.introspections.push(received);
      if (state.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      const answer = state.handler(new URLSearchParams(received.body).get('token') ?? '');
      return send(answer.status, answer.body);
    }
    if (request.method === 'POST' && request.url === '/api-keys/usage-reports') {
      state.usageReports.push(received);
      return send(state.usageStatuses.shift() ?? state.usageStatus, undefined);
    }
    return send(404, { error: 'not found' });
  };
  const server: Server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.issuer ||= state.url;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}
