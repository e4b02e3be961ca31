// A server-side web app signing its users in with Keycard: openid-client with its defaults
// (discovery, PKCE, state, nonce, ID-token checks), a confidential client (client_secret_basic),
// the session in a cookie, RP-initiated logout and a back-channel logout endpoint.
// ISSUER, CLIENT_ID, CLIENT_SECRET, PORT (default 4000) come from the environment.
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import * as oidc from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';

const issuer = new URL(process.env.ISSUER ?? 'http://localhost:3000');
const port = Number(process.env.PORT ?? 4000);
const base = `http://localhost:${port}`;
const insecure = issuer.protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {};
const config = await oidc.discovery(
  issuer,
  process.env.CLIENT_ID,
  process.env.CLIENT_SECRET,
  undefined,
  insecure,
);
const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri));

/** Sessions by cookie value: { user?, idToken?, sid?, pending? }. A real app would use a store. */
const sessions = new Map();

function session(request, response) {
  const id = /(?:^|; )app\.sid=([\w-]+)/.exec(request.headers.cookie ?? '')?.[1];
  if (id && sessions.has(id)) return sessions.get(id);
  const fresh = randomBytes(32).toString('base64url');
  sessions.set(fresh, {});
  response.setHeader('set-cookie', `app.sid=${fresh}; HttpOnly; SameSite=Lax; Path=/`);
  return sessions.get(fresh);
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...headers }).end(body);
}

const routes = {
  'GET /': (request, response, s) =>
    send(
      response,
      200,
      s.user
        ? `<p>Signed in as <b id="user">${s.user.email ?? s.user.sub}</b></p><a href="/logout">Sign out</a>`
        : `<p id="user">Not signed in</p><a href="/login">Sign in with Keycard</a>`,
    ),
  'GET /login': async (request, response, s) => {
    s.pending = {
      verifier: oidc.randomPKCECodeVerifier(),
      state: oidc.randomState(),
      nonce: oidc.randomNonce(),
    };
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: `${base}/callback`,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(s.pending.verifier),
      code_challenge_method: 'S256',
      state: s.pending.state,
      nonce: s.pending.nonce,
    });
    send(response, 302, '', { location: url.href });
  },
  'GET /callback': async (request, response, s) => {
    const tokens = await oidc.authorizationCodeGrant(config, new URL(request.url, base), {
      pkceCodeVerifier: s.pending?.verifier,
      expectedState: s.pending?.state,
      expectedNonce: s.pending?.nonce,
    });
    const claims = tokens.claims();
    Object.assign(s, {
      user: claims,
      idToken: tokens.id_token,
      sid: claims.sid,
      pending: undefined,
    });
    send(response, 302, '', { location: '/' });
  },
  'GET /logout': (request, response, s) => {
    const url = oidc.buildEndSessionUrl(config, {
      id_token_hint: s.idToken,
      post_logout_redirect_uri: `${base}/`,
    });
    s.user = undefined;
    send(response, 302, '', { location: url.href });
  },
  // Keycard tells the app that a user's Keycard session ended (Back-Channel Logout 1.0).
  'POST /backchannel-logout': async (request, response) => {
    let body = '';
    for await (const chunk of request) body += chunk;
    const token = new URLSearchParams(body).get('logout_token') ?? '';
    const { payload } = await jwtVerify(token, jwks, {
      issuer: config.serverMetadata().issuer,
      audience: config.clientMetadata().client_id,
      typ: 'logout+jwt',
    });
    if (
      !payload.events?.['http://schemas.openid.net/event/backchannel-logout'] ||
      'nonce' in payload
    ) {
      throw new Error('not a logout token');
    }
    for (const s of sessions.values()) if (s.sid === payload.sid) s.user = undefined;
    response.writeHead(200).end();
  },
};

createServer((request, response) => {
  const route = routes[`${request.method} ${new URL(request.url, base).pathname}`];
  if (!route) return send(response, 404, 'not found');
  Promise.resolve(route(request, response, session(request, response))).catch((error) =>
    send(response, 400, `refused: ${String(error.message)}`),
  );
}).listen(port, () => console.log(`web app on ${base}`));
