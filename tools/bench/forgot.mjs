// The account-mail scenario of `npm run bench`: `POST /auth/password/forgot` for a known address
// (so every answer queues a reset mail) against two auth-services that differ only in their SMTP
// server — one real and running (smtp-server, accepting everything), one stopped (a port nothing
// listens on). Paired slices as for grants; the ratio is stopped ÷ running. A request never waits
// on SMTP (the outbox does), so the two should answer 202 at the same rate.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SMTPServer } from 'smtp-server';
import { freePort } from './services.mjs';

/**
 * A real SMTP server on a loopback port that accepts and counts every message, in a process of
 * its own: the bench's process blocks while a load runs (spawnSync), so a server living there would
 * never even greet. `stop()` ends it and resolves with the number of messages it accepted.
 */
export async function startSmtpSink() {
  const port = await freePort();
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--sink', String(port)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  for (let waited = 0; !output.includes('ready'); waited += 50) {
    if (waited > 10_000 || child.exitCode !== null) throw new Error('the SMTP sink did not start');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    url: `smtp://127.0.0.1:${port}`,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      return Number(/delivered (\d+)/.exec(output)?.[1] ?? Number.NaN);
    },
  };
}

/** `node forgot.mjs --sink PORT`: the sink itself. Prints `ready`, then `delivered N` on SIGTERM. */
async function runSink(port) {
  let delivered = 0;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      stream.on('end', () => {
        delivered++;
        callback();
      });
      stream.resume();
    },
  });
  await new Promise((resolve) => server.listen(port, '127.0.0.1', resolve));
  process.stdout.write('ready\n');
  process.once('SIGTERM', () => {
    process.stdout.write(`delivered ${delivered}\n`, () => process.exit(0));
  });
}

/** Mail counters of an auth-service's `/metrics` (`keycard_mail_total{outcome}`). */
export async function mailCounts(authUrl) {
  const text = await (await fetch(`${authUrl}/metrics`)).text();
  const counts = {};
  for (const match of text.matchAll(/^keycard_mail_total\{[^}]*outcome="(\w+)"[^}]*\} (\d+)/gm)) {
    counts[match[1]] = Number(match[2]);
  }
  return counts;
}

/** Settings that keep the per-address and per-IP mail limits out of the way of the load. */
export const UNLIMITED_ACCOUNT_MAIL = {
  ACCOUNT_MAIL_RATE_LIMIT: '100000',
  ACCOUNT_MAIL_IP_RATE_LIMIT: '100000',
};

/** The forgot request for one address, as load.mjs takes it. */
export function forgotRequest(email) {
  return {
    path: '/auth/password/forgot',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    rawBody: JSON.stringify({ email }),
  };
}

/** A port on 127.0.0.1 that nothing listens on: an SMTP server that is stopped. */
export async function stoppedSmtpUrl() {
  return `smtp://127.0.0.1:${await freePort()}`;
}

if (process.argv[2] === '--sink') await runSink(Number(process.argv[3]));
