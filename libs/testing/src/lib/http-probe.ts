import { get } from 'node:http';

export interface ProbeResponse {
  status: number;
  body: string;
}

/** One GET to 127.0.0.1 on a fresh connection (no keep-alive agent), as a new client would open. */
export function getOnFreshConnection(
  port: number,
  path: string,
  headers: Record<string, string> = {},
): Promise<ProbeResponse> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    }).on('error', reject);
  });
}

/**
 * Whether new connections to `port` are refused within about a second (a server shutting down
 * must stop accepting at once). Refused, or reset while the listening socket closes under the
 * connect (Fastify), both count; any other error is thrown.
 */
export async function refusesConnections(port: number, path = '/health/live'): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    try {
      await getOnFreshConnection(port, path);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return true;
      throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}
