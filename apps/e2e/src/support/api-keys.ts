import { request } from './http';
import type { AuthTarget } from './api';

/** `POST /api-keys`'s answer: the only time the key itself is shown. */
export interface CreatedApiKey {
  id: string;
  name: string;
  key: string;
  prefix: string;
  type: 'sk' | 'pk';
  environment: 'live' | 'test';
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  rateLimit: number | null;
}

export interface ApiKeyListItem {
  id: string;
  prefix: string;
  lastUsedAt: string | null;
  status: string;
}

export interface ApiKeyUsage {
  id: string;
  days: { day: string; count: number }[];
}

export interface NewApiKey {
  name?: string;
  type?: 'sk' | 'pk';
  scopes?: string[];
  rateLimit?: number;
}

/** Creates a key for the user of `accessToken`; throws unless 201. */
export async function createApiKey(
  stack: AuthTarget,
  accessToken: string,
  input: NewApiKey = {},
): Promise<CreatedApiKey> {
  const response = await request<CreatedApiKey>('POST', `${stack.auth.url}/api-keys`, {
    bearer: accessToken,
    json: { name: 'e2e key', ...input },
  });
  if (response.status !== 201) throw new Error(`create key: ${response.status} ${response.text}`);
  return response.body;
}

/** Rotates a key; throws unless 201. */
export async function rotateApiKey(
  stack: AuthTarget,
  accessToken: string,
  id: string,
  graceSeconds: number,
): Promise<CreatedApiKey> {
  const response = await request<CreatedApiKey>('POST', `${stack.auth.url}/api-keys/${id}/rotate`, {
    bearer: accessToken,
    json: { graceSeconds },
  });
  if (response.status !== 201) throw new Error(`rotate key: ${response.status} ${response.text}`);
  return response.body;
}

/** A request to a resource-service with an `X-API-Key` header. */
export function withApiKey<T = Record<string, unknown>>(
  method: string,
  url: string,
  key: string,
  json?: unknown,
) {
  return request<T>(method, url, { headers: { 'x-api-key': key }, json });
}

/**
 * Calls `probe` every 100 ms until `done` accepts its result or `timeoutMs` has passed, and
 * returns the last result: a bounded wait for something that must happen "within" a time.
 */
export async function pollUntil<T>(
  probe: () => Promise<T>,
  done: (result: T) => boolean,
  timeoutMs: number,
): Promise<{ result: T; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const result = await probe();
    const elapsedMs = Date.now() - started;
    if (done(result) || elapsedMs >= timeoutMs) return { result, elapsedMs };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
