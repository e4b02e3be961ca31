#!/usr/bin/env node
// The peer of Keycard's client-credentials grants in `npm run bench` (issue 21): `oidc-provider`
// (a dev dependency of the bench only) configured like the auth-service's token endpoint — one
// client with `client_secret_basic`, the client_credentials grant, JWT access tokens signed RS256
// with a 2048-bit key (through resource indicators, oidc-provider's way to JWT access tokens), its
// default in-memory adapter. `GET /health` answers 200 for the bench's readiness check; everything
// else goes to the provider. Port from PEER_PORT, client from PEER_CLIENT_ID / PEER_CLIENT_SECRET.
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider from 'oidc-provider';

const port = Number(process.env.PEER_PORT);
const issuer = `http://127.0.0.1:${port}`;
const audience = 'urn:keycard:bench';
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.PEER_CLIENT_ID,
      client_secret: process.env.PEER_CLIENT_SECRET,
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: {
    keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'bench', alg: 'RS256', use: 'sig' }],
  },
  ttl: { ClientCredentials: 900 },
  features: {
    clientCredentials: { enabled: true },
    devInteractions: { enabled: false },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => audience,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        audience,
        scope: '',
        accessTokenTTL: 900,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
});
// Errors the provider reports are answered to the client; nothing is printed per request.
provider.on('server_error', (_ctx, error) => process.stderr.write(`${error.stack}\n`));

const callback = provider.callback();
const server = createServer((request, response) => {
  if (request.url === '/health') {
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    return;
  }
  callback(request, response);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
server.listen(port, '127.0.0.1');
