#!/usr/bin/env node
// `npm start`: builds both services and runs them on the embedded defaults (SQLite files and
// in-process stores under DATA_DIR), auth-service on :3000 and resource-service on :3001.
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const env = { NX_DAEMON: 'false', NX_NO_CLOUD: 'true', NX_TUI: 'false', ...process.env };
env.DATA_DIR ??= join(root, 'data');

const build = spawnSync(
  'npx',
  ['nx', 'run-many', '-t', 'build', '-p', 'auth-service', 'resource-service', '--output-style=static'],
  { cwd: root, env, stdio: 'inherit' },
);
if (build.status !== 0) process.exit(build.status ?? 1);

const children = [];
function run(name, entry) {
  const child = spawn(process.execPath, [join(root, 'dist/apps', name, 'main.js')], { cwd: root, env, stdio: 'inherit' });
  child.on('exit', (code, signal) => {
    console.error(`${name} stopped (${signal ?? code})`);
    for (const other of children) if (other !== child) other.kill('SIGTERM');
    process.exitCode = code ?? 1;
  });
  children.push(child);
}

run('auth-service');
run('resource-service');
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => children.forEach((child) => child.kill(signal)));
}
