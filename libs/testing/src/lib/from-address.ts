import { randomInt } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';

export interface AddressedResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body parsed as JSON; `{}` when empty. */
  body: Record<string, unknown>;
}

/**
 * One GET to `127.0.0.1:port` sent from the local address `from` (on Linux every 127.x.y.z is
 * this machine), so a server without a proxy sees a client of that IP: how per-IP limits are
 * tested without trusting forwarded headers.
 */
export function getFrom(
  port: number,
  from: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<AddressedResponse> {
  return new Promise((resolve, reject) => {
    const call = request(
      { host: '127.0.0.1', port, path, localAddress: from, headers, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
          }),
        );
      },
    );
    call.on('error', reject);
    call.end();
  });
}

/**
 * A random loopback prefix `127.a.b.` for one test run: counters kept per client IP in a shared
 * Redis then never meet another run's (or a parallel one's).
 */
export function loopbackSubnet(): string {
  return `127.${randomInt(1, 255)}.${randomInt(0, 256)}.`;
}
