#!/usr/bin/env node
// The load generator, in its own process so that it never shares an event loop with the server it
// measures (run.mjs pins it to CPU 0 and the server to the last CPU when it can). Usage:
// `node tools/bench/load.mjs '<json options>'`, in one of two modes:
//
// - One run: { url, method?, path, headers?, body? (JSON), rawBody? (string), connections,
//   duration, warmup?, refreshTokens?, headerCycle? }; prints autocannon's result as one line of
//   JSON on stdout.
// - Paired slices: { url, connections, warmup, slice, rounds, pid?, scenarios: [{ name, path,
//   headers?, headerCycle?, refreshTokens?, method?, rawBody?, url?, pid?, prime? }] } (a
//   refresh scenario's chains carry on across its slices, each of which ends with up to
//   `connections` tokens in flight and lost, so it needs `connections` spares per slice and per
//   warm-up; a scenario's own url and
//   pid override the shared ones, so scenarios may measure different servers; `prime` sends each
//   of its GET requests once before each of its slices, see `prime`). Warms every scenario once (`warmup` seconds), then runs `rounds`
//   rounds in which every scenario gets `slice` seconds back to back (the first round in the given
//   order, the next reversed, and so on), all in this one process. The slices of one round are
//   seconds apart, so a ratio of two of them sees far less of the machine's drift than runs
//   minutes apart. With `pid` (the server's) it also reads the server's CPU time around each slice
//   from /proc/<pid>/stat. Prints `{ clockTicks, scenarios: [{ name, slices: [{ round,
//   requestsPerSecond, p99Ms, errors, errorDetail, requests, cpuUsPerRequest }] }] }` as one line
//   of JSON (cpuUsPerRequest: server CPU µs per request, null without /proc).
import autocannon from 'autocannon';
import { clockTicksPerSecond, cpuTicks, sliceRecord } from './services.mjs';

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

/** The autocannon options of one run (without duration and warm-up). */
function requestConfig(options) {
  return {
    // autocannon takes the path of plain requests from the URL, not from a `path` option.
    url: new URL(options.path ?? '/', options.url).toString(),
    connections: options.connections,
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
}

async function singleRun(options) {
  const result = await autocannon({
    ...requestConfig(options),
    duration: options.duration,
    ...(options.warmup
      ? { warmup: { connections: options.connections, duration: options.warmup } }
      : {}),
  });
  // Requests sent while warming up: a caller that counts what the server did during the whole run
  // (bench:scale's WAL per request) divides by both.
  result.warmupRequests = result.warmup?.requests.total ?? 0;
  delete result.warmup;
  return result;
}

/** The non-2xx statuses, socket errors and timeouts of a result, e.g. `429×3, timeouts×1`. */

/**
 * Sends each distinct request of a scenario once, one after the other (`prime`), before each of
 * its slices: an API key's cached answer expires while the other scenarios run (the default TTL is
 * 5 s), and the scenario is meant to measure keys whose answers are cached, as a busy key's are.
 */
async function prime(url, scenario) {
  const variants = scenario.headerCycle
    ? scenario.headerCycle.values.map((value) => ({
        ...scenario.headers,
        [scenario.headerCycle.name]: value,
      }))
    : [scenario.headers ?? {}];
  for (const headers of variants) {
    const response = await fetch(new URL(scenario.path ?? '/', url), { headers });
    await response.arrayBuffer();
  }
}

async function pairedSlices(options) {
  const { url, connections, warmup, slice, rounds, pid, scenarios } = options;
  const clockTicks = clockTicksPerSecond();
  // Built once per scenario, so a refresh scenario's chains carry on from one slice to the next.
  const configs = new Map(
    scenarios.map((scenario) => [scenario, requestConfig({ url, ...scenario, connections })]),
  );
  const run = (scenario, duration) => autocannon({ ...configs.get(scenario), duration });
  for (const scenario of scenarios) if (warmup) await run(scenario, warmup);
  const slices = scenarios.map(() => []);
  const forward = [...scenarios.keys()];
  for (let round = 0; round < rounds; round++) {
    for (const i of round % 2 ? [...forward].reverse() : forward) {
      if (scenarios[i].prime) await prime(scenarios[i].url ?? url, scenarios[i]);
      const serverPid = scenarios[i].pid ?? pid;
      const before = cpuTicks(serverPid);
      const result = await run(scenarios[i], slice);
      const after = cpuTicks(serverPid);
      slices[i].push(sliceRecord(round, result, before, after, clockTicks));
    }
  }
  return {
    clockTicks,
    scenarios: scenarios.map(({ name }, i) => ({ name, slices: slices[i] })),
  };
}

const options = JSON.parse(process.argv[2] ?? '{}');
const output = options.scenarios ? await pairedSlices(options) : await singleRun(options);
process.stdout.write(`${JSON.stringify(output)}\n`);
