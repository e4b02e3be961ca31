import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { maxAgeSeconds } from './jwks';

/** Largest JSON document read from the issuer (discovery, JWKS, introspection answers). */
const MAX_DOCUMENT_CHARS = 512 * 1024;

/** Where an issuer's metadata is read from. */
export interface IssuerLocation {
  /** The expected `issuer` of the discovery document. */
  issuer: string;
  /** When set, the address actually called: it also replaces the origin of discovered endpoints. */
  internalUrl?: string;
  /** Per HTTP request. */
  timeoutMs: number;
}

export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** fetch() says only "fetch failed"; the cause carries the useful part (ECONNREFUSED, timeout…). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: { code?: unknown; message?: unknown } }).cause;
  const detail = cause?.code ?? cause?.message;
  return typeof detail === 'string' ? `${error.message}: ${detail}` : error.message;
}

/** Reads a bounded response body as JSON; throws on a non-2xx status or a document that is too large. */
export async function readJson(
  url: string,
  response: Response,
): Promise<{ body: unknown; maxAge?: number }> {
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${url} answered ${response.status}`);
  }
  const text = await response.text();
  if (text.length > MAX_DOCUMENT_CHARS)
    throw new Error(`${url} answered a document that is too large`);
  return {
    body: JSON.parse(text) as unknown,
    maxAge: maxAgeSeconds(response.headers.get('cache-control')),
  };
}

/** GET a JSON document with a timeout. */
export async function fetchJson(
  url: string,
  timeoutMs: number,
): Promise<{ body: unknown; maxAge?: number }> {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(timeoutMs),
  });
  return readJson(url, response);
}

/** Kept-alive connections for the calls a service makes again and again (introspection). */
const agents = {
  http: new HttpAgent({ keepAlive: true }),
  https: new HttpsAgent({ keepAlive: true }),
};

/**
 * POSTs a form to `url` and reads a bounded JSON answer; throws on a network error, a timeout, a
 * non-2xx status or a document that is too large. On Node's `http`/`https` with kept-alive
 * connections rather than `fetch()`: a background introspection of an API key cost the calling
 * service 0.5–1 ms of CPU through `fetch()` and about a fifth of that this way.
 */
export function postForm(
  url: string,
  form: Record<string, string>,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<unknown> {
  const body = new URLSearchParams(form).toString();
  const https = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const call = (https ? httpsRequest : httpRequest)(
      url,
      {
        method: 'POST',
        agent: https ? agents.https : agents.http,
        timeout: timeoutMs,
        headers: {
          ...headers,
          accept: 'application/json',
          'content-type': 'application/x-www-form-urlencoded',
          'content-length': String(Buffer.byteLength(body)),
        },
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status < 200 || status > 299) {
          response.resume();
          reject(new Error(`${url} answered ${status}`));
          return;
        }
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
          if (text.length > MAX_DOCUMENT_CHARS) {
            response.destroy();
            reject(new Error(`${url} answered a document that is too large`));
          }
        });
        response.on('error', reject);
        response.on('end', () => {
          try {
            resolve(JSON.parse(text) as unknown);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    call.on('timeout', () =>
      call.destroy(new Error(`${url} did not answer within ${timeoutMs} ms`)),
    );
    call.on('error', reject);
    call.end(body);
  });
}

/**
 * One endpoint of the issuer's OIDC discovery document (`jwks_uri`, `introspection_endpoint`…),
 * read from `${internalUrl ?? issuer}/.well-known/openid-configuration`. The document must name
 * the expected issuer; with an `internalUrl` the endpoint's origin is rewritten to it, so a
 * service inside the network never calls the issuer's public address.
 */
export async function discoverEndpoint(location: IssuerLocation, field: string): Promise<string> {
  const issuer = trimSlash(location.issuer);
  const base = location.internalUrl ? trimSlash(location.internalUrl) : issuer;
  const { body } = await fetchJson(`${base}/.well-known/openid-configuration`, location.timeoutMs);
  const document = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  const announced = document['issuer'];
  if (typeof announced !== 'string' || trimSlash(announced) !== issuer) {
    throw new Error(`discovery issuer ${String(announced)} is not ${issuer}`);
  }
  const endpoint = document[field];
  if (typeof endpoint !== 'string') throw new Error(`discovery document has no ${field}`);
  const url = new URL(endpoint);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${field} is not http(s)`);
  if (location.internalUrl !== undefined) {
    const internal = new URL(location.internalUrl);
    url.protocol = internal.protocol;
    url.host = internal.host;
  }
  return url.toString();
}
