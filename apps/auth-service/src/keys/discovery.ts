/** Scopes Keycard's own services understand; clients may be granted others (RFC 8414 lets this list be partial). */
export const ADVERTISED_SCOPES = ['documents:read', 'documents:write'];

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/**
 * The authorization-server metadata served at both `/.well-known/openid-configuration` (OpenID
 * Connect Discovery 1.0) and `/.well-known/oauth-authorization-server` (RFC 8414).
 *
 * Keycard has no authorization endpoint yet (only the token grants below), so
 * `authorization_endpoint` is left out, which RFC 8414 §2 allows when no grant type uses it, and
 * `response_types_supported` is an empty list: both specifications make that member REQUIRED,
 * and an empty list says truthfully that no response type is offered. `subject_types_supported`
 * and `id_token_signing_alg_values_supported` are REQUIRED by OIDC Discovery; RS256 is the
 * algorithm every key in the JWKS uses.
 */
export function discoveryMetadata(issuer: string): Record<string, string | string[]> {
  return {
    issuer,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    token_endpoint: `${issuer}/oauth/token`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    grant_types_supported: ['refresh_token', 'client_credentials'],
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    scopes_supported: ADVERTISED_SCOPES,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}
