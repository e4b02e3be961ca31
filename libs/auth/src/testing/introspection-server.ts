import { startTestIssuer, type IssuerRequest, type TestIssuer } from './keycard-testing';

export type { IntrospectionHandler } from './keycard-testing';

export const CLIENT_ID = 'resource-test';
export const CLIENT_SECRET = 'resource-test-secret-0123456789';

/** One request the stand-in received. */
export type Received = IssuerRequest;

/** The stand-in auth-service of the API-key specs: `startTestIssuer`'s, plus `discoveries`. */
export type IntrospectionServer = TestIssuer & { readonly discoveries: number };

/** An active API-key answer like the auth-service's, with `overrides`. */
export function activeKeyAnswer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    active: true,
    token_type: 'api_key',
    sub: 'user-1',
    scope: 'documents:read documents:write',
    key_id: '5b0e7e0c-7f7a-4c2e-9d3c-2f3f1b7a9e11',
    key_type: 'sk',
    environment: 'live',
    rate_limit: 600,
    roles: [],
    ...overrides,
  };
}

/** A `startTestIssuer` whose introspection answers every token with `activeKeyAnswer()`. */
export async function startIntrospectionServer(issuer?: string): Promise<IntrospectionServer> {
  const server = await startTestIssuer({ issuer });
  server.handler = () => ({ status: 200, body: activeKeyAnswer() });
  // `discoveries`: the name these specs count discovery requests by (the object must stay the
  // one the server updates, so a getter is added rather than a copy made).
  Object.defineProperty(server, 'discoveries', { get: () => server.discoveryHits });
  return server as IntrospectionServer;
}
