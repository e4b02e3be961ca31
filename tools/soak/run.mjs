#!/usr/bin/env node
// `npm run soak`: the stack of `npm run faults` (its own PostgreSQL and Redis, an auth-service and
// a resource-service from dist/) under the same mixed traffic — sign-ins, sessions, refreshes,
// API-key and bearer calls, sign-outs — at about half of the capacity measured first, for
// SOAK_DURATION seconds (default 600; CI runs 60). Samples every SOAK_SAMPLE seconds (default 5)
// each service's RSS (/proc/<pid>/status) and event-loop delay (/metrics:
// nodejs_eventloop_lag_p99_seconds), and the client's latency per window. Passes when RSS after
// the warm-up (the first fifth, at least 20 s; medians of the first and last thirds of the samples
// after it) grows less than 10 %, every window's p99 stays within 1.5× of the first window's (a
// minute, or half of a shorter run), and no request fails (every answer as when healthy). Prints the figures; writes artifacts/soak/report.json.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { HEALTHY, violation } from '../faults/expectations.mjs';
import { cleanUpEverything, sleep } from '../faults/servers.mjs';
import { buildOnce, startStack } from '../faults/stack.mjs';
import { call, loadLoop } from '../faults/traffic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const logDir = join(root, 'artifacts', 'soak');
const durationS = Number(process.env.SOAK_DURATION ?? 600);
const sampleS = Number(process.env.SOAK_SAMPLE ?? 5);
const CAPACITY_S = 10;
const note = (message) => console.error(`[soak] ${message}`);

function rssMb(pid) {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((entry) => entry.startsWith('VmRSS:'));
    return Number(line.split(/\s+/)[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

async function eventLoopP99Ms(url) {
  const answer = await call(`${url}/metrics`, { timeoutMs: 5000 });
  const line = String(answer.body ?? '')
    .split('\n')
    .find((entry) => entry.startsWith('nodejs_eventloop_lag_p99_seconds'));
  return line ? Number(line.split(' ').pop()) * 1000 : Number.NaN;
}

function p99(values) {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))];
}

/** Calls a second the mix reaches with many callers and no pacing (the capacity). */
async function measureCapacity(client) {
  let done = 0;
  const load = loadLoop(client, { workers: 16, rate: 1e6, record: () => (done += 1) });
  await sleep(CAPACITY_S * 1000);
  await load.stop();
  return done / CAPACITY_S;
}

async function soak(stack, rate) {
  const failures = [];
  // A minute, or half of a shorter run: a p99 needs a few hundred calls to mean anything.
  const windowMs = Math.min(60, Math.max(30, durationS / 4)) * 1000;
  const windows = [];
  const started = Date.now();
  const load = loadLoop(stack.client, {
    workers: 8,
    rate,
    record: (kind, answer, startedAt) => {
      const why = violation(kind, answer, HEALTHY);
      if (why) failures.push(`${kind} ${why}`);
      const index = Math.floor((startedAt - started) / windowMs);
      (windows[index] ??= []).push(answer.ms);
    },
  });
  const samples = [];
  while (Date.now() - started < durationS * 1000) {
    await sleep(sampleS * 1000);
    samples.push({
      atS: Math.round((Date.now() - started) / 1000),
      authRssMb: rssMb(stack.auth.pid),
      resourceRssMb: rssMb(stack.resource.pid),
      authLoopP99Ms: await eventLoopP99Ms(stack.auth.url),
      resourceLoopP99Ms: await eventLoopP99Ms(stack.resource.url),
    });
  }
  await load.stop();
  const p99s = windows.filter((w) => w && w.length > 20).map((w) => Math.round(p99(w)));
  return { samples, p99s, failures, calls: windows.reduce((sum, w) => sum + (w?.length ?? 0), 0) };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/**
 * RSS growth per service (fractions): the median of the last third of the samples against the
 * median of the first third after the warm-up (the first fifth, at least 20 s). Medians, since
 * RSS saws up and down with every garbage collection.
 */
function rssGrowth(samples) {
  const after = samples.filter((s) => s.atS >= Math.max(20, durationS / 5));
  const third = Math.max(1, Math.floor(after.length / 3));
  const [early, late] = [after.slice(0, third), after.slice(-third)];
  const growth = (key) => median(late.map((s) => s[key])) / median(early.map((s) => s[key])) - 1;
  return {
    auth: growth('authRssMb'),
    resource: growth('resourceRssMb'),
    warm: {
      authRssMb: median(early.map((s) => s.authRssMb)),
      resourceRssMb: median(early.map((s) => s.resourceRssMb)),
    },
    late: {
      authRssMb: median(late.map((s) => s.authRssMb)),
      resourceRssMb: median(late.map((s) => s.resourceRssMb)),
    },
  };
}

async function main() {
  mkdirSync(logDir, { recursive: true });
  buildOnce(root, process.argv);
  note('starting PostgreSQL, Redis, the auth-service and the resource-service');
  const stack = await startStack({ root, logDir, users: 6 });
  try {
    const capacity = await measureCapacity(stack.client);
    const rate = Math.max(5, Math.round(capacity / 2));
    note(`capacity ${capacity.toFixed(0)} calls/s; soaking at ${rate} calls/s for ${durationS} s`);
    const result = await soak(stack, rate);
    const growth = rssGrowth(result.samples);
    const problems = [...new Set(result.failures)].slice(0, 10);
    if (result.failures.length) problems.unshift(`${result.failures.length} request(s) failed`);
    for (const [service, grew] of Object.entries({ auth: growth.auth, resource: growth.resource }))
      if (!(grew < 0.1))
        problems.push(`${service}-service RSS grew ${(grew * 100).toFixed(1)} % after the warm-up`);
    const [first, ...rest] = result.p99s;
    const worst = Math.max(...rest, first);
    if (!(worst <= first * 1.5))
      problems.push(`p99 reached ${worst} ms, first window ${first} ms (bound 1.5×)`);
    const figures = {
      durationS,
      capacityPerS: Math.round(capacity),
      ratePerS: rate,
      calls: result.calls,
      failed: result.failures.length,
      p99MsPerWindow: result.p99s,
      rssMb: {
        auth: [growth.warm.authRssMb, growth.late.authRssMb].map(Math.round),
        resource: [growth.warm.resourceRssMb, growth.late.resourceRssMb].map(Math.round),
      },
      rssGrowthPercent: {
        auth: +(growth.auth * 100).toFixed(1),
        resource: +(growth.resource * 100).toFixed(1),
      },
      eventLoopP99MsMax: {
        auth: Math.max(...result.samples.map((s) => s.authLoopP99Ms)).toFixed(1),
        resource: Math.max(...result.samples.map((s) => s.resourceLoopP99Ms)).toFixed(1),
      },
      problems,
    };
    writeFileSync(
      join(logDir, 'report.json'),
      JSON.stringify({ figures, samples: result.samples }, null, 2),
    );
    console.log(JSON.stringify(figures, null, 2));
    note(problems.length ? `FAILED: ${problems.join('; ')}` : 'passed');
    return problems.length ? 1 : 0;
  } finally {
    await stack.stop().catch((error) => note(`stopping: ${error.message}`));
  }
}

main().then(
  (code) => {
    cleanUpEverything();
    process.exit(code);
  },
  (error) => {
    console.error(error);
    cleanUpEverything();
    process.exit(1);
  },
);
