#!/usr/bin/env node
// `npm run faults`: Keycard under failing dependencies (issue 22). Starts its own PostgreSQL
// (initdb + pg_ctl in a temp folder on a spare port) and redis-server (spare port) — never the
// machine's shared instances —, an auth-service and a resource-service from dist/ (built once when
// missing; `--build` rebuilds, `--skip-build` never builds), and keeps a bounded mixed load running
// (~50 calls/s: logins, refreshes, session calls and the account page, API-key and bearer calls at
// the resource-service, sign-outs, and credentials revoked beforehand). For each row of
// expectations.mjs it injects the fault, judges every answer, removes the fault and times the
// recovery; then checks that API-key usage counted while the auth-service was down arrived, and
// kills the auth-service (SIGKILL) in the middle of refreshes, API-key creations and key rotations
// (crash.mjs). Prints a table; exits 1 on any violation. Logs: artifacts/faults/.
//
//   FAULTS_HOLD_MS   how long each fault lasts (default 8000)
//   FAULTS_ONLY      comma-separated row names (substrings) to run, e.g. "Redis,crash"
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCrashes } from './crash.mjs';
import { Recorder, summarize } from './recorder.mjs';
import { FAULT_NAMES, metric, runRow } from './scenarios.mjs';
import { cleanUpEverything, missingPrograms, sleep } from './servers.mjs';
import { buildOnce, startStack } from './stack.mjs';
import { call, loadLoop } from './traffic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const logDir = join(root, 'artifacts', 'faults');
const started = Date.now();
const only = (process.env.FAULTS_ONLY ?? '').split(',').filter(Boolean);
const selected = (name) => only.length === 0 || only.some((part) => name.includes(part));
const note = (message) =>
  console.error(`[faults] ${message} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

/** After the rows: every API-key call answered 200 is in the key's usage at the auth-service. */
async function checkUsageDelivered(stack, served, recorder) {
  const expected = served.count;
  const tokens = [];
  for (const user of stack.client.users)
    tokens.push((await stack.client.login(user)).body?.accessToken);
  const deadline = Date.now() + 25_000; // the resource-service reports every 10 s
  let counted = 0;
  let pending;
  // Delivered: everything served is counted and nothing waits at the resource-service. (Counted
  // alone may pass early: the auth-service also counts the suite's own priming calls.)
  while (Date.now() < deadline) {
    counted = 0;
    for (const [i, user] of stack.client.users.entries()) {
      const answer = await call(`${stack.auth.url}/api-keys/${user.apiKeyId}/usage`, {
        headers: { authorization: `Bearer ${tokens[i]}` },
      });
      for (const day of answer.body?.days ?? []) counted += Number(day.count ?? 0);
    }
    pending = await metric(stack.resource.url, 'keycard_api_key_usage_pending');
    if (counted >= expected && pending === 0) break;
    await sleep(2000);
  }
  if (counted < expected)
    recorder.fail(
      `usage: ${counted} API-key requests counted at the auth-service, ${expected} served`,
    );
  if (pending !== 0)
    recorder.fail(`usage: keycard_api_key_usage_pending is ${pending} once delivered, not 0`);
  return { expected, counted, pending };
}

function printTable(rows, extra) {
  const lines = [
    '| fault | answers seen (all kinds, by status) | slowest answer | recovery (bound) | violations |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const row of rows) {
    const totals = {};
    for (const counts of Object.values(row.counts))
      for (const [status, count] of Object.entries(counts))
        totals[status] = (totals[status] ?? 0) + count;
    let recovery =
      row.recoveryMs === undefined
        ? '—'
        : `${(row.recoveryMs / 1000).toFixed(1)} s (${row.row.recoveryMs / 1000} s)`;
    if (row.restartMs !== undefined)
      recovery += ` after a ${(row.restartMs / 1000).toFixed(1)} s start-up`;
    lines.push(
      `| ${row.name} | ${summarize(totals)} | ${row.slowestMs ?? '—'} | ${recovery} | ${row.violations.length} |`,
    );
  }
  console.log(`\n${lines.join('\n')}\n${extra.join('\n')}`);
}

async function main() {
  const missing = missingPrograms();
  if (missing)
    throw new Error(`npm run faults needs PostgreSQL server binaries and redis-server: ${missing}`);
  mkdirSync(logDir, { recursive: true });
  buildOnce(root, process.argv);
  note('starting PostgreSQL, Redis, the auth-service and the resource-service');
  const stack = await startStack({ root, logDir });
  const recorder = new Recorder();
  const served = { count: 0 };
  const load = loadLoop(stack.client, {
    record: (kind, answer, startedAt) => {
      if (kind === 'apiKey' && answer.status === 200) served.count += 1;
      recorder.record(kind, answer, startedAt);
    },
  });
  const extra = [];
  try {
    await sleep(3000);
    for (const name of FAULT_NAMES.filter(selected)) {
      note(`fault: ${name}`);
      await runRow(name, stack, recorder);
      note(`  ${recorder.rows.at(-1).violations.length} violation(s)`);
    }
    await load.stop();
    if (selected('auth-service')) {
      note('checking that usage counted while the auth-service was down was delivered');
      const usage = await checkUsageDelivered(stack, served, recorder);
      extra.push(
        `API-key usage: ${usage.counted} counted at the auth-service, ${usage.expected} served, ${usage.pending} line(s) pending after`,
      );
    }
    if (selected('crash')) {
      note('crash safety: kill -9 during refreshes, API-key creation and key rotation');
      extra.push(...(await runCrashes(stack, recorder)));
    }
  } finally {
    await load.stop();
    await stack.stop().catch((error) => note(`stopping: ${error.message}`));
  }
  const rows = [...recorder.rows, recorder.between];
  for (const row of rows) {
    for (const violation of row.violations.slice(0, 15))
      console.error(`  ✗ ${row.name}: ${violation}`);
    if (row.violations.length > 15) console.error(`  … and ${row.violations.length - 15} more`);
  }
  printTable(rows, extra);
  writeFileSync(
    join(logDir, 'report.json'),
    JSON.stringify(
      rows.map((row) => ({ ...row, row: undefined, judge: undefined })),
      null,
      2,
    ),
  );
  const failed = rows.reduce((sum, row) => sum + row.violations.length, 0);
  note(
    failed ? `FAILED: ${failed} violation(s); details in artifacts/faults/report.json` : 'passed',
  );
  return failed ? 1 : 0;
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
