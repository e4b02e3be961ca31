import type { IncomingHttpHeaders } from 'node:http';

/** The part of an Express request the session layer reads (kept narrow so it is easy to fake). */
export interface HttpRequest {
  method: string;
  headers: IncomingHttpHeaders;
  body?: unknown;
  ip?: string;
}

export function isHttpRequest(value: unknown): value is HttpRequest {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as HttpRequest).method === 'string' &&
    typeof (value as HttpRequest).headers === 'object'
  );
}

/** Whether the body came from an HTML form (`application/x-www-form-urlencoded`). */
export function isFormPost(request: HttpRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return type.split(';')[0].trim().toLowerCase() === 'application/x-www-form-urlencoded';
}

/** A string field of a parsed body, if there is one. */
export function bodyField(request: HttpRequest, name: string): string | undefined {
  const body = request.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}
