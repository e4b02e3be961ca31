#!/usr/bin/env node
// Runs the README's quickstart exactly as a newcomer would, so the README cannot rot: starts
// `npm start` on a fresh DATA_DIR (the default ports 3000 and 3001, as the README says), waits for
// both services, then runs every `sh` block between `<!-- quickstart:start -->` and
// `<!-- quickstart:end -->` in one `bash -euo pipefail`. A failing command (the README's curls use
// `-f`) fails the run. `npm start` builds through Nx, which replays a build made earlier in the
// same checkout. Nothing else may listen on 3000/3001 while it runs.
//
// `--ports 4000,4001` runs the same walk with only AUTH_PORT and RESOURCE_PORT changed (the
// README's addresses rewritten to match): the issuer and the resource-service must follow.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const START_TIMEOUT_MS = 180_000;
const RUN_TIMEOUT_MS = 120_000;

/** The quickstart's shell blocks, in order. */
export function quickstartBlocks(markdown) {
  const start = markdown.indexOf('<!-- quickstart:start -->');
  const end = markdown.indexOf('<!-- quickstart:end -->');
  if (start < 0 || end < start) throw new Error('README.md has no quickstart markers');
  const section = markdown.slice(start, end);
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((match) => match[1]);
  if (blocks.length === 0) throw new Error('the quickstart has no sh blocks');
  return blocks;
}

async function answers(url) {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

async function waitFor(urls, exited) {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited()) throw new Error('npm start exited before the services answered');
    const up = await Promise.all(urls.map(answers));
    if (up.every(Boolean)) return;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`no answer from ${urls.join(' and ')} within ${START_TIMEOUT_MS / 1000}s`);
}

function runBash(script, env) {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], {
      cwd: root,
      env,
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

/** `--ports A,R`: the auth-service and resource-service ports, else the defaults. */
function ports() {
  const at = process.argv.indexOf('--ports');
  if (at < 0) return { auth: 3000, resource: 3001 };
  const [auth, resource] = (process.argv[at + 1] ?? '').split(',').map(Number);
  if (!(auth > 0 && resource > 0)) throw new Error('--ports takes two port numbers: 4000,4001');
  return { auth, resource };
}

async function main() {
  const { auth, resource } = ports();
  const blocks = quickstartBlocks(readFileSync(join(root, 'README.md'), 'utf8')).map((block) =>
    block
      .replaceAll('localhost:3000', `localhost:${auth}`)
      .replaceAll('localhost:3001', `localhost:${resource}`),
  );
  const dataDir = mkdtempSync(join(tmpdir(), 'keycard-quickstart-'));
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    AUTH_PORT: String(auth),
    RESOURCE_PORT: String(resource),
  };
  for (const name of ['DATABASE_URL', 'REDIS_URL', 'AUTH_ISSUER', 'AUTH_HOST']) delete env[name];
  const server = spawn('npm', ['start'], { cwd: root, env, stdio: 'ignore', detached: true });
  let exited = false;
  server.once('exit', () => (exited = true));
  let code = 1;
  try {
    await waitFor(
      [`http://127.0.0.1:${auth}/health`, `http://127.0.0.1:${resource}/health`],
      () => exited,
    );
    console.log(
      `quickstart: ${blocks.length} README blocks against npm start on ${auth}/${resource}`,
    );
    code = await runBash(blocks.join('\n'), env);
  } catch (error) {
    console.error(`quickstart: ${error.message}`);
  } finally {
    if (!exited) {
      process.kill(-server.pid, 'SIGTERM');
      await new Promise((done) => {
        const timer = setTimeout(() => {
          process.kill(-server.pid, 'SIGKILL');
          done();
        }, 15_000);
        server.once('exit', () => {
          clearTimeout(timer);
          done();
        });
      });
    }
    rmSync(dataDir, { recursive: true, force: true });
  }
  console.log(code === 0 ? 'quickstart: 1 passed, 0 failed' : 'quickstart: 0 passed, 1 failed');
  process.exitCode = code === 0 ? 0 : 1;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
