// The bound of a password login (issue 21, goal 2): one argon2id verify and nothing else, with the
// very hash the auth-service stored for the bench's user (ARGON2_HASH, so Keycard's own parameters)
// and that user's password (ARGON2_PASSWORD). Two modes:
// - ARGON2_LOOP_SECONDS set: verifies in a loop for that long, ARGON2_LOOP_CONCURRENCY (default 4,
//   libuv's thread pool) at a time, and prints `{"verifiesPerSecond": …}`: the bound itself.
// - otherwise a bare node:http server on 127.0.0.1:ARGON2_BASELINE_PORT whose every POST is one
//   verify (200, or 401 if it did not match), with `GET /health` for startService: the bound plus
//   the least HTTP, paired with `POST /auth/login` by tools/bench/login.mjs.
const http = require('node:http');
const { verify } = require('@node-rs/argon2');

const hash = process.env.ARGON2_HASH;
const password = process.env.ARGON2_PASSWORD;
if (!hash || !password) throw new Error('ARGON2_HASH and ARGON2_PASSWORD are required');

async function loop(seconds, concurrency) {
  if (!(await verify(hash, password))) throw new Error('the password does not match the hash');
  const end = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < end) {
      await verify(hash, password);
      done += 1;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - start) / 1000;
  process.stdout.write(
    `${JSON.stringify({ verifiesPerSecond: done / elapsed, verifies: done })}\n`,
  );
}

function serve(port) {
  const server = http.createServer((request, response) => {
    if (request.method === 'GET' && request.url === '/health') {
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    request.resume(); // the body is not needed: the password is the bench user's
    request.once('end', () => {
      verify(hash, password).then(
        (valid) =>
          response
            .writeHead(valid ? 200 : 401, { 'content-type': 'application/json' })
            .end(`{"valid":${valid}}`),
        () => response.writeHead(500).end(),
      );
    });
  });
  server.listen(port, '127.0.0.1');
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}

const seconds = Number(process.env.ARGON2_LOOP_SECONDS ?? 0);
if (seconds > 0) {
  loop(seconds, Number(process.env.ARGON2_LOOP_CONCURRENCY ?? 4)).catch((error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exitCode = 1;
  });
} else {
  serve(Number(process.env.ARGON2_BASELINE_PORT));
}
