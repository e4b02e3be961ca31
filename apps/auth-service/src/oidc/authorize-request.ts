import { isValidScope } from '../clients/client-format';
import { matchesRedirectUri } from '../clients/client-registration';
import type { OAuthClientEntity } from '../clients/oauth-client.entity';

/** The OpenID Connect scopes every app may ask for, besides the API scopes registered for it. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export type Prompt = 'none' | 'login' | 'consent';

/** A checked authorization request: everything the rest of the flow reads. */
export interface AuthorizationRequest {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state?: string;
  nonce?: string;
  codeChallenge: string;
  prompt: Prompt[];
  /** Seconds; 0 asks for a fresh sign-in. */
  maxAge?: number;
  loginHint?: string;
}

/**
 * What to do with a request: show the error page (an unknown client or redirect URI: never a
 * redirect there, RFC 6749 §4.1.2.1), send the error to the app's redirect URI, or go on.
 */
export type AuthorizeVerdict =
  | { kind: 'page'; error: string; description: string }
  | { kind: 'redirect'; redirectUri: string; state?: string; error: string; description: string }
  | { kind: 'valid'; request: AuthorizationRequest };

/** The client fields the table reads. */
export type AuthorizeClient = Pick<
  OAuthClientEntity,
  'clientId' | 'type' | 'redirectUris' | 'scopes' | 'revokedAt'
>;

const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const PROMPTS: readonly string[] = ['none', 'login', 'consent'];
const MAX_STATE = 1024;
const MAX_NONCE = 512;
const MAX_LOGIN_HINT = 254;
const MAX_AGE_LIMIT = 10 * 365 * 24 * 3600;

type Params = Readonly<Record<string, unknown>>;

class RequestError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
  ) {
    super(description);
  }
}

/** A parameter's single value; repeated parameters are refused (RFC 6749 §3.1); empty = absent. */
function one(params: Params, name: string): string | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new RequestError('invalid_request', `${name} is repeated`);
  return value;
}

/**
 * The client and redirect URI, or the page error. Read first: until both are known to belong
 * together, no error may be sent anywhere.
 */
function clientAndRedirect(
  params: Params,
  client: AuthorizeClient | null,
): { redirectUri: string } | { page: string } {
  const clientId = params['client_id'];
  const redirect = params['redirect_uri'];
  if (typeof clientId !== 'string' || clientId === '') return { page: 'client_id is missing' };
  if (client === null || client.revokedAt !== null || client.type === 'service') {
    return { page: 'This app is not registered with Keycard' };
  }
  if (redirect === undefined || redirect === '') {
    return client.redirectUris.length === 1
      ? { redirectUri: client.redirectUris[0] }
      : { page: 'redirect_uri is missing' };
  }
  if (typeof redirect !== 'string' || !matchesRedirectUri(client, redirect)) {
    return { page: 'redirect_uri is not registered for this app' };
  }
  return { redirectUri: redirect };
}

function checkResponseType(params: Params): void {
  if (one(params, 'request') !== undefined) {
    throw new RequestError('request_not_supported', 'request objects are not supported');
  }
  if (one(params, 'request_uri') !== undefined) {
    throw new RequestError('request_uri_not_supported', 'request_uri is not supported');
  }
  const responseType = one(params, 'response_type');
  if (responseType === undefined)
    throw new RequestError('invalid_request', 'response_type is missing');
  if (responseType !== 'code') {
    throw new RequestError('unsupported_response_type', 'only response_type=code is supported');
  }
  const mode = one(params, 'response_mode');
  if (mode !== undefined && mode !== 'query') {
    throw new RequestError('invalid_request', 'only response_mode=query is supported');
  }
}

function codeChallenge(params: Params): string {
  const challenge = one(params, 'code_challenge');
  const method = one(params, 'code_challenge_method');
  if (challenge === undefined) {
    throw new RequestError('invalid_request', 'code_challenge is required (PKCE with S256)');
  }
  if (method !== 'S256') {
    throw new RequestError('invalid_request', 'code_challenge_method must be S256');
  }
  if (!CODE_CHALLENGE.test(challenge)) {
    throw new RequestError('invalid_request', 'code_challenge must be 43 base64url characters');
  }
  return challenge;
}

function scopes(params: Params, client: AuthorizeClient): string[] {
  const requested = [...new Set((one(params, 'scope') ?? '').split(' ').filter(Boolean))];
  if (!requested.every(isValidScope)) throw new RequestError('invalid_scope', 'scope is malformed');
  const allowed = (scope: string) =>
    (OIDC_SCOPES as readonly string[]).includes(scope) || client.scopes.includes(scope);
  const refused = requested.filter((scope) => !allowed(scope));
  if (refused.length > 0) {
    throw new RequestError('invalid_scope', `scope not allowed for this app: ${refused.join(' ')}`);
  }
  return requested;
}

function prompts(params: Params): Prompt[] {
  const values = [...new Set((one(params, 'prompt') ?? '').split(' ').filter(Boolean))];
  const unknown = values.filter((value) => !PROMPTS.includes(value));
  if (unknown.length > 0) {
    throw new RequestError('invalid_request', `prompt not supported: ${unknown.join(' ')}`);
  }
  if (values.includes('none') && values.length > 1) {
    throw new RequestError('invalid_request', 'prompt=none cannot be combined with other values');
  }
  return values as Prompt[];
}

function maxAge(params: Params): number | undefined {
  const value = one(params, 'max_age');
  if (value === undefined) return undefined;
  if (!/^\d{1,10}$/.test(value) || Number(value) > MAX_AGE_LIMIT) {
    throw new RequestError('invalid_request', 'max_age must be a number of seconds');
  }
  return Number(value);
}

function bounded(params: Params, name: string, max: number): string | undefined {
  const value = one(params, name);
  if (value !== undefined && value.length > max) {
    throw new RequestError('invalid_request', `${name} is longer than ${max} characters`);
  }
  return value;
}

/** The state to echo with an error: only a well-formed one (it is reflected into a URL). */
function echoableState(params: Params): string | undefined {
  const state = params['state'];
  return typeof state === 'string' && state !== '' && state.length <= MAX_STATE ? state : undefined;
}

/**
 * The request validation table of API.md section 5, as one pure function of the parameters (GET
 * query or POST form) and the client they name (null when unknown).
 */
export function validateAuthorizeRequest(
  params: Params,
  client: AuthorizeClient | null,
): AuthorizeVerdict {
  const target = clientAndRedirect(params, client);
  if ('page' in target || client === null) {
    const description = 'page' in target ? target.page : 'unknown client';
    return { kind: 'page', error: 'invalid_request', description };
  }
  try {
    checkResponseType(params);
    const request: AuthorizationRequest = {
      clientId: client.clientId,
      redirectUri: target.redirectUri,
      state: bounded(params, 'state', MAX_STATE),
      codeChallenge: codeChallenge(params),
      scopes: scopes(params, client),
      nonce: bounded(params, 'nonce', MAX_NONCE),
      prompt: prompts(params),
      maxAge: maxAge(params),
      loginHint: bounded(params, 'login_hint', MAX_LOGIN_HINT),
    };
    return { kind: 'valid', request };
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    return {
      kind: 'redirect',
      redirectUri: target.redirectUri,
      state: echoableState(params),
      error: error.error,
      description: error.description,
    };
  }
}

/** The app's redirect URI with the response parameters added (RFC 9207: always `iss`). */
export function authorizationResponseUri(
  redirectUri: string,
  issuer: string,
  values: Record<string, string | undefined>,
): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined) url.searchParams.append(name, value);
  }
  url.searchParams.append('iss', issuer);
  return url.href;
}
