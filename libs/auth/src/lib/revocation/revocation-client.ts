import { describeError, readJson, trimSlash } from '../discovery';
import { basicAuthorization } from '../api-keys/basic-auth';
import type { RevocationEvent, RevocationMessage } from './revocation-event';
import { parseRevocationEvent, parseRevocationMessage } from './revocation-event';

/** How a verifier reaches the auth-service's revocation log, as a registered client. */
export interface RevocationEndpoint {
  /** The auth-service's base URL (`AUTH_INTERNAL_URL`, else the issuer). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  timeoutMs?: number;
}

/**
 * The auth-service answered 404: it keeps no revocation log (an older version, or a stand-in in
 * tests). There is then nothing to follow; the source says so and asks again later.
 */
export class NoRevocationLog extends Error {}

/** Events a page of the catch-up endpoint holds at most. */
export const CATCH_UP_PAGE = 500;

export interface LogPage {
  events: RevocationEvent[];
  head: number;
}

function headers(endpoint: RevocationEndpoint, accept: string): Record<string, string> {
  return {
    accept,
    authorization: basicAuthorization(endpoint.clientId, endpoint.clientSecret),
  };
}

/** One page of the log after `after` (`GET /revocations`). */
export async function readLogPage(endpoint: RevocationEndpoint, after: number): Promise<LogPage> {
  const url = `${trimSlash(endpoint.baseUrl)}/revocations?after=${after}&limit=${CATCH_UP_PAGE}`;
  const response = await fetch(url, {
    headers: headers(endpoint, 'application/json'),
    signal: AbortSignal.timeout(endpoint.timeoutMs ?? 5000),
  });
  if (response.status === 404) {
    await response.body?.cancel();
    throw new NoRevocationLog(`${url} answered 404`);
  }
  const { body } = await readJson(url, response);
  const record = body as { events?: unknown; head?: unknown };
  if (!Array.isArray(record.events) || typeof record.head !== 'number')
    throw new Error(`${url} answered something that is not a revocation page`);
  const events = record.events.map(parseRevocationEvent);
  if (events.some((event) => event === undefined))
    throw new Error(`${url} answered a malformed revocation event`);
  return { events: events as RevocationEvent[], head: record.head };
}

/**
 * Follows `GET /revocations/stream` (Server-Sent Events) from `after` until the stream ends, the
 * signal aborts or nothing (not even a heartbeat) arrives for `idleMs`; each message goes to
 * `onMessage`. Resolves when the stream ends; rejects on a refused or failed connection.
 */
export async function followStream(
  endpoint: RevocationEndpoint,
  after: number,
  onMessage: (message: RevocationMessage) => void,
  signal: AbortSignal,
  idleMs: number,
): Promise<void> {
  const url = `${trimSlash(endpoint.baseUrl)}/revocations/stream?after=${after}`;
  const idle = new AbortController();
  const response = await fetch(url, {
    headers: { ...headers(endpoint, 'text/event-stream'), 'last-event-id': String(after) },
    signal: AbortSignal.any([signal, idle.signal]),
  });
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    if (response.status === 404) throw new NoRevocationLog(`${url} answered 404`);
    throw new Error(`${url} answered ${response.status}`);
  }
  let timer = setTimeout(() => idle.abort(), idleMs);
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of response.body) {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(), idleMs);
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const message = dataOf(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (message !== undefined) onMessage(message);
        end = buffer.indexOf('\n\n');
      }
      if (buffer.length > 64 * 1024) throw new Error(`${url} sent an oversized message`);
    }
  } catch (error) {
    if (idle.signal.aborted) throw new Error(`${url} went silent`);
    throw new Error(describeError(error));
  } finally {
    clearTimeout(timer);
  }
}

/** The `data:` of one SSE block as a message; comments and malformed blocks are skipped. */
function dataOf(block: string): RevocationMessage | undefined {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).trimStart())
    .join('\n');
  return data === '' ? undefined : parseRevocationMessage(data);
}
