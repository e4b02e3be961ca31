import { ErrorCode, KeycardError } from '@keycard/common';
import type { OAuthRequest } from './oauth-params';
import { invalidRequest, OAuthParams } from './oauth-params';

export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post' | 'none';

/** Credentials a client presented, not yet checked (`none`: a public client's `client_id` alone). */
export type PresentedClientCredentials =
  | { method: 'client_secret_basic' | 'client_secret_post'; clientId: string; clientSecret: string }
  | { method: 'none'; clientId: string };

export const BASIC_CHALLENGE = 'Basic realm="keycard"';

/**
 * RFC 6749 §5.2 `invalid_client` (401). When the client tried the Authorization header, or sent
 * nothing, the answer names the scheme it should use (`WWW-Authenticate`).
 */
export function invalidClient(reason: string, challenge: boolean): KeycardError {
  return new KeycardError(ErrorCode.OAuthInvalidClient, {
    reason,
    headers: challenge ? { 'WWW-Authenticate': BASIC_CHALLENGE } : {},
  });
}

/** `application/x-www-form-urlencoded` decoding (RFC 6749 §2.3.1 encodes Basic credentials with it). */
function formDecode(value: string): string {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '));
  } catch {
    throw invalidClient('malformed percent-encoding in Basic credentials', true);
  }
}

function parseBasic(authorization: string): PresentedClientCredentials {
  const match = /^Basic +([A-Za-z0-9+/]+={0,2}) *$/i.exec(authorization);
  if (!match) throw invalidClient('Authorization header is not Basic credentials', true);
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) throw invalidClient('Basic credentials without a client id and secret', true);
  return {
    method: 'client_secret_basic',
    clientId: formDecode(decoded.slice(0, colon)),
    clientSecret: formDecode(decoded.slice(colon + 1)),
  };
}

/**
 * The client credentials of a request: `client_secret_basic` (Authorization: Basic) or
 * `client_secret_post` (`client_id` + `client_secret` in the body); undefined when none were sent.
 * Using both methods at once is `invalid_request` (RFC 6749 §2.3); a `client_id` with no secret is
 * method `none`, which only a public (`spa`, `native`) client may use (`OAuthClientAuthenticator`).
 */
export function presentedClientCredentials(
  request: OAuthRequest,
): PresentedClientCredentials | undefined {
  const bodyId = request.params.get('client_id');
  const bodySecret = request.params.get('client_secret');
  if (request.authorization !== undefined && request.authorization !== '') {
    const basic = parseBasic(request.authorization);
    if (bodySecret !== undefined) throw invalidRequest('Use only one client authentication method');
    if (bodyId !== undefined && bodyId !== basic.clientId) {
      throw invalidRequest('The client_id parameter does not match the authenticated client');
    }
    return basic;
  }
  if (bodyId === undefined && bodySecret === undefined) return undefined;
  if (bodyId === undefined) throw invalidClient('client_secret without client_id', false);
  if (bodySecret === undefined) return { method: 'none', clientId: bodyId };
  return { method: 'client_secret_post', clientId: bodyId, clientSecret: bodySecret };
}

/**
 * The client of a service route (the revocation log, introspection, usage reports): HTTP Basic
 * credentials (RFC 6749 `client_secret_basic`) checked by `authenticate` (`ClientsService`), else
 * 401 `invalid_client` with a Basic challenge. A public client (no secret) is never admitted.
 */
export async function authenticatedServiceClient<T>(
  authorization: string | string[] | undefined,
  authenticate: (clientId: string, secret: string) => Promise<T | null>,
): Promise<T> {
  if (typeof authorization !== 'string' || authorization === '')
    throw invalidClient('no client credentials', true);
  const presented = presentedClientCredentials({ authorization, params: new OAuthParams({}) });
  const client =
    presented !== undefined && presented.method !== 'none'
      ? await authenticate(presented.clientId, presented.clientSecret)
      : null;
  if (client === null) throw invalidClient('unknown client, wrong secret or revoked client', true);
  return client;
}
