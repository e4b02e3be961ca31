import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RevocationEvent } from '../lib/revocation/revocation-event';
import { ISSUER } from './fixtures';

const AUTH = `Basic ${Buffer.from('svc:secret').toString('base64')}`;

/**
 * A stand-in for the auth-service's two revocation endpoints (`GET /revocations`, the SSE stream),
 * over a log the test appends to; client `svc`, secret `secret`. It also answers API-key
 * introspection (`POST /oauth/introspect`, announced by its discovery document for `ISSUER` of
 * the fixtures) from `apiKeys` (any other key is inactive), counting each request in
 * `introspections`.
 */
export class FakeRevocationLog {
  readonly events: RevocationEvent[] = [];
  readonly apiKeys = new Map<string, Record<string, unknown>>();
  introspections = 0;
  readonly streamCursors: number[] = [];
  readonly pageCursors: number[] = [];
  refusals = 0;
  private readonly open = new Set<ServerResponse>();
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.handle(request, response));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  append(e: RevocationEvent): void {
    this.events.push(e);
    for (const response of this.open) send(response, { type: 'event', event: e }, e.id);
  }

  /** Drops every open stream, as an auth-service restart would. */
  dropStreams(): void {
    for (const response of this.open) response.destroy();
    this.open.clear();
  }

  async stop(): Promise<void> {
    this.dropStreams();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/.well-known/openid-configuration') {
      const endpoint = `${ISSUER}/oauth/introspect`;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ issuer: ISSUER, introspection_endpoint: endpoint }));
      return;
    }
    if (request.headers.authorization !== AUTH) {
      this.refusals++;
      response.writeHead(401).end();
      return;
    }
    if (request.method === 'POST' && url.pathname === '/oauth/introspect') {
      this.introspect(request, response);
      return;
    }
    const after = Number(url.searchParams.get('after'));
    const head = this.events.at(-1)?.id ?? 0;
    if (url.pathname === '/revocations') {
      this.pageCursors.push(after);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ events: this.events.filter((e) => e.id > after), head }));
      return;
    }
    this.streamCursors.push(after);
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    for (const e of this.events.filter((e) => e.id > after))
      send(response, { type: 'event', event: e }, e.id);
    send(response, { type: 'heartbeat', head });
    this.open.add(response);
    response.on('close', () => this.open.delete(response));
  }

  private introspect(request: IncomingMessage, response: ServerResponse): void {
    this.introspections++;
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(this.apiKeys.get(token) ?? { active: false }));
    });
  }
}

function send(response: ServerResponse, message: unknown, id?: number): void {
  response.write(`${id === undefined ? '' : `id: ${id}\n`}data: ${JSON.stringify(message)}\n\n`);
}
