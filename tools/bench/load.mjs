#!/usr/bin/env node
// One autocannon run in its own process, so the load generator never shares an event loop (or a
// core) with the server it measures. Usage: `node tools/bench/load.mjs '<json options>'` with
// { url, method?, path, headers?, body? (JSON), rawBody? (string), connections, duration, warmup?,
// refreshTokens?, headerCycle? };
// prints autocannon's result as one line of JSON on stdout.
import autocannon from 'autocannon';

const REFRESH_PATH = '/auth/refresh';

/**
 * Each connection walks its own refresh-token chain: it presents a token and presents the
 * successor from the answer next. autocannon resets `context` every time its request list wraps
 * around (with a single request, after every response), so the chains live here: a connection
 * pushes the successor it just received and, synchronously afterwards, pops it again for its next
 * request. No token is ever presented twice, and spare tokens replace chains cut off when the
 * warm-up stops with requests in flight. An empty pool sends a dead token, counted as an error.
 */
function refreshRequests(tokens) {
  const available = [...tokens];
  return [
    {
      method: 'POST',
      path: REFRESH_PATH,
      headers: { 'content-type': 'application/json' },
      setupRequest(request, context) {
        context.token = available.pop() ?? 'rt_pool_exhausted';
        return { ...request, body: JSON.stringify({ refreshToken: context.token }) };
      },
      onResponse(status, body) {
        if (status === 200) available.push(JSON.parse(body).refreshToken);
      },
    },
  ];
}

/**
 * GET requests that take turns among several values of one header (`{ name, values }`), e.g. API
 * keys, so that no single key's own rate limit caps what the bench can measure. Every request is
 * fixed up front, so autocannon builds each once instead of on every send (a `setupRequest`
 * callback would cost the load generator more than the server spends on the request).
 */
function cyclingRequests(path, headers, { name, values }) {
  return values.map((value) => ({ method: 'GET', path, headers: { ...headers, [name]: value } }));
}

const options = JSON.parse(process.argv[2] ?? '{}');
const config = {
  // autocannon takes the path of plain requests from the URL, not from a `path` option.
  url: new URL(options.path ?? '/', options.url).toString(),
  connections: options.connections,
  duration: options.duration,
  ...(options.warmup
    ? { warmup: { connections: options.connections, duration: options.warmup } }
    : {}),
  ...(options.refreshTokens
    ? { requests: refreshRequests(options.refreshTokens) }
    : options.headerCycle
      ? { requests: cyclingRequests(options.path, options.headers ?? {}, options.headerCycle) }
      : {
          method: options.method ?? 'GET',
          headers: options.headers ?? {},
          ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
          // A body sent as it is (for example form-encoded OAuth parameters).
          ...(options.rawBody === undefined ? {} : { body: options.rawBody }),
        }),
};

const result = await autocannon(config);
delete result.warmup;
process.stdout.write(`${JSON.stringify(result)}\n`);
