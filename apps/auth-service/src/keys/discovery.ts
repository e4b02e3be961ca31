/** Scopes Keycard's own services understand; clients may be granted others (RFC 8414 lets this list be partial). */
export const ADVERTISED_SCOPES = ['documents:read', 'documents:write'];

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post'];

/** The OpenID Connect scopes of section 5, besides the API scopes. */
const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'];

/**
 * The authorization-server metadata served at both `/.well-known/openid-configuration` (OpenID
 * Connect Discovery 1.0) and `/.well-known/oauth-authorization-server` (RFC 8414): the token
 * grants, and the OpenID Provider for apps (API.md section 5: the authorization code flow with
 * PKCE S256 only, `iss` in every authorization response, back-channel logout). Public clients
 * authenticate with `none` at the token endpoint (and may revoke their own tokens that way).
 */
export function discoveryMetadata(issuer: string): Record<string, string | string[] | boolean> {
  return {
    issuer,
    authorization_endpoint: `${issuer}/oauth/authorize`,
    token_endpoint: `${issuer}/oauth/token`,
    userinfo_endpoint: `${issuer}/oauth/userinfo`,
    end_session_endpoint: `${issuer}/oauth/logout`,
    jwks_uri: `${issuer}/.well-known/jwks.json`,
    introspection_endpoint: `${issuer}/oauth/introspect`,
    revocation_endpoint: `${issuer}/oauth/revoke`,
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    introspection_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: [...CLIENT_AUTH_METHODS, 'none'],
    scopes_supported: [...OIDC_SCOPES, ...ADVERTISED_SCOPES],
    claims_supported: [
      'sub',
      'iss',
      'aud',
      'exp',
      'iat',
      'auth_time',
      'nonce',
      'sid',
      'amr',
      'email',
      'email_verified',
      'name',
    ],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    prompt_values_supported: ['none', 'login', 'consent'],
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
    authorization_response_iss_parameter_supported: true,
  };
}
