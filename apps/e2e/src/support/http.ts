import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

/** One real HTTP exchange with a running service (Node's global fetch, no fakes). */
export interface HttpResult<T> {
  status: number;
  headers: Headers;
  /** The parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: T;
  text: string;
}

export interface RequestOptions {
  json?: unknown;
  bearer?: string;
  headers?: Record<string, string>;
}

export async function request<T = Record<string, unknown>>(
  method: string,
  url: string,
  options: RequestOptions = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.bearer !== undefined) headers['authorization'] = `Bearer ${options.bearer}`;
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const response = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: parse(text) as T, text };
}

function parse(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export interface DecodedJwt {
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
}

/** Reads a JWT's header and claims without verifying anything (the services do that). */
export function decodeJwt(token: string): DecodedJwt {
  const [header, payload] = token.split('.');
  const decode = (part: string) =>
    JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload) };
}

/**
 * A JSON POST sent from a chosen loopback source address (node:http, since fetch cannot pick
 * one). Per-IP counters of the auth-service then see an address no other test or earlier run
 * used, even when they live in a shared Redis.
 */
export function postFrom<T = Record<string, unknown>>(
  localAddress: string,
  url: string,
  json: unknown,
): Promise<HttpResult<T>> {
  const payload = JSON.stringify(json);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        localAddress,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined)
              headers.set(name, Array.isArray(value) ? value.join(', ') : value);
          }
          resolve({ status: res.statusCode ?? 0, headers, body: parse(text) as T, text });
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`POST ${url}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** A random 127.x.y.z address: Linux routes all of 127.0.0.0/8 to the loopback interface. */
export function randomLoopbackAddress(): string {
  const [a, b, c] = randomBytes(3);
  return `127.${a}.${b}.${(c % 253) + 2}`;
}
