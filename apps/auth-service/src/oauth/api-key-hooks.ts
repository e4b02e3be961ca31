/**
 * How the OAuth endpoints reach API keys without depending on the api-keys module: it provides
 * these tokens (exported from a module given to `OAuthModule.register({ imports })`, or from a
 * global module). Both are required: an `OAuthModule` without them fails to build, rather than
 * answering 200 to a revocation that did nothing.
 */

/** Answers RFC 7662 fields for an `sk_…`/`pk_…` key; null when the key is not valid (any reason). */
export interface ApiKeyIntrospector {
  introspect(key: string): Promise<Record<string, unknown> | null>;
}

/** Revokes the API key with this value; an unknown key is not an error (RFC 7009 §2.2). */
export interface ApiKeyRevoker {
  revokeByKey(key: string): Promise<void>;
}

export const API_KEY_INTROSPECTOR = Symbol('API_KEY_INTROSPECTOR');
export const API_KEY_REVOKER = Symbol('API_KEY_REVOKER');
