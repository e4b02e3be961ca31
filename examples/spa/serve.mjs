// Serves the SPA (and oidc-client-ts' browser build) on PORT (default 4100) and proxies /api/* to
// the resource-service, so the page calls it from its own origin.
// ISSUER (default http://localhost:3000), CLIENT_ID, RESOURCE_URL (default http://localhost:3001).
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const library = join(
  dirname(createRequire(import.meta.url).resolve('oidc-client-ts/package.json')),
  'dist/browser/oidc-client-ts.min.js',
);
const port = Number(process.env.PORT ?? 4100);
const resource = process.env.RESOURCE_URL ?? 'http://localhost:3001';
const settings = {
  issuer: process.env.ISSUER ?? 'http://localhost:3000',
  clientId: process.env.CLIENT_ID,
};

const files = {
  '/': [join(here, 'index.html'), 'text/html'],
  '/app.js': [join(here, 'app.js'), 'text/javascript'],
  '/oidc-client-ts.min.js': [library, 'text/javascript'],
};

createServer(async (request, response) => {
  const path = new URL(request.url, 'http://localhost').pathname;
  if (path.startsWith('/api/')) {
    const answer = await fetch(`${resource}${path.slice(4)}`, {
      headers: { authorization: request.headers.authorization ?? '' },
    });
    response
      .writeHead(answer.status, { 'content-type': 'application/json' })
      .end(await answer.text());
    return;
  }
  if (path === '/config.js') {
    response.writeHead(200, { 'content-type': 'text/javascript' });
    response.end(`window.KEYCARD = ${JSON.stringify(settings)};`);
    return;
  }
  const file = files[path];
  if (!file) return response.writeHead(404).end();
  response.writeHead(200, { 'content-type': file[1] }).end(await readFile(file[0]));
}).listen(port, () => console.log(`SPA on http://localhost:${port}`));
