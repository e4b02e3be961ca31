import { createHash, randomBytes } from 'node:crypto';
import type { NewClient, RegisteredClient } from '../clients/clients.service';
import { ClientsService } from '../clients/clients.service';
import type { RunningAuthService } from '../oauth/oauth.test-kit';

/*
 * Test-only: a browser for the OpenID Provider's HTML flow — a cookie jar (with paths, as the
 * sign-in return cookie needs), redirects followed by hand so each hop can be checked, and the
 * sign-in and consent forms posted as a person would.
 */

interface StoredCookie {
  value: string;
  path: string;
}

export interface BrowserResponse {
  status: number;
  location: string | undefined;
  body: string;
  headers: Headers;
  url: string;
}

/** The value of a hidden (or other) input named `name` in a page. */
export function inputValue(page: string, name: string): string | undefined {
  const match = new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page);
  return match?.[1];
}

export class TestBrowser {
  private readonly cookies = new Map<string, StoredCookie>();

  constructor(private readonly origin: string) {}

  async get(url: string): Promise<BrowserResponse> {
    return this.send(url, { method: 'GET' });
  }

  /** A form post; `origin` is the page it is sent from (another site's, for CSRF tests). */
  async post(
    url: string,
    form: Record<string, string>,
    origin = this.origin,
  ): Promise<BrowserResponse> {
    return this.send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** Follows redirects within the issuer; stops at the first hop elsewhere (the app) or a page. */
  async follow(first: BrowserResponse): Promise<BrowserResponse> {
    let response = first;
    for (let hops = 0; hops < 10; hops++) {
      const location = response.location;
      if (location === undefined || !location.startsWith(this.origin)) return response;
      response = await this.get(location);
    }
    throw new Error('too many redirects');
  }

  /** The sign-in form on `page`, posted with these credentials, then the redirects followed. */
  async signIn(page: BrowserResponse, email: string, password: string): Promise<BrowserResponse> {
    const csrf = inputValue(page.body, '_csrf');
    if (csrf === undefined) throw new Error(`no sign-in form (status ${page.status})`);
    return this.follow(await this.post('/session/login', { email, password, _csrf: csrf }));
  }

  /** The consent form on `page`, answered. */
  async consent(page: BrowserResponse, decision: 'allow' | 'deny'): Promise<BrowserResponse> {
    const csrf = inputValue(page.body, '_csrf');
    const handle = inputValue(page.body, 'request');
    if (csrf === undefined || handle === undefined) throw new Error('no consent form');
    return this.follow(
      await this.post('/oauth/authorize/consent', { _csrf: csrf, request: handle, decision }),
    );
  }

  hasCookie(name: string): boolean {
    return this.cookies.has(name);
  }

  private async send(url: string, init: RequestInit): Promise<BrowserResponse> {
    const target = new URL(url, this.origin);
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(target.pathname);
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(target, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(line);
    const location = response.headers.get('location') ?? undefined;
    return {
      status: response.status,
      location: location === undefined ? undefined : new URL(location, target).href,
      body: await response.text(),
      headers: response.headers,
      url: target.href,
    };
  }

  private store(line: string): void {
    const [pair, ...attributes] = line.split(';').map((part) => part.trim());
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    const path = attributes.find((a) => a.toLowerCase().startsWith('path='))?.slice(5) ?? '/';
    const expired = attributes.some(
      (a) => /^max-age=0$/i.test(a) || /^expires=thu, 01 jan 1970/i.test(a),
    );
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, { value, path });
  }

  private cookieHeader(path: string): string {
    return [...this.cookies.entries()]
      .filter(([, cookie]) => path.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }
}

/** Registers an app client directly (the admin API is tested on its own). */
export function registerApp(
  service: RunningAuthService,
  client: NewClient,
): Promise<RegisteredClient> {
  return service.app.get(ClientsService).register(client);
}

/** A user signed up through the public API. */
export async function createUser(
  service: RunningAuthService,
  email: string,
  password: string,
  name = 'Ada Lovelace',
): Promise<string> {
  const response = await fetch(`${service.issuer}/auth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password, name }),
  });
  if (response.status !== 201) throw new Error(`register failed: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

/** A hand-made authorization request: PKCE S256, state and nonce, as a careful app sends it. */
export interface HandRequest {
  url: string;
  verifier: string;
  state: string;
  params: Record<string, string>;
}

export function handRequest(
  issuer: string,
  clientId: string,
  redirectUri: string,
  extra: Record<string, string | undefined> = {},
): HandRequest {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(16).toString('base64url');
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: clientId,
    redirect_uri: redirectUri,
    scope: 'openid offline_access',
    state,
    nonce: randomBytes(16).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  };
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete params[name];
    else params[name] = value;
  }
  return {
    url: `${issuer}/oauth/authorize?${new URLSearchParams(params)}`,
    verifier,
    state,
    params,
  };
}

/** A form post to the token endpoint; `basic` = [id, secret] for client_secret_basic. */
export async function tokenRequest(
  issuer: string,
  form: Record<string, string>,
  basic?: [string, string],
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  if (basic !== undefined) {
    const encoded = basic.map((part) => encodeURIComponent(part)).join(':');
    headers['authorization'] = `Basic ${Buffer.from(encoded).toString('base64')}`;
  }
  const response = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form).toString(),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
