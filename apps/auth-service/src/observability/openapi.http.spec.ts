import request from 'supertest';
import { openApiGaps } from '@keycard/testing';
import type { SessionTestApp } from '../sessions/sessions.test-kit';
import { startSessionApp } from '../sessions/sessions.test-kit';

interface Operation {
  summary?: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: { name: string; in: string }[];
}
type Paths = Record<string, Record<string, Operation>>;

/** 200s whose body is empty by their RFC: `/oauth/revoke` (RFC 7009 §2.2). */
const EMPTY_200 = new Set(['post /oauth/revoke']);

const TAGS = new Set([
  'OAuth 2.0',
  'Password login and tokens',
  'Account e-mail and password',
  'Second factors',
  'Sign in with Google',
  'Browser sessions',
  'API keys',
  'Keys and discovery',
  'Admin: users',
  'Admin: audit log',
  'Admin: clients',
  'Admin: signing keys',
  'Admin: overview',
  'Operations',
]);

describe('the auth-service OpenAPI document', () => {
  let t: SessionTestApp;
  let paths: Paths;

  beforeAll(async () => {
    t = await startSessionApp();
    paths = (await request(t.http).get('/docs-json').expect(200)).body.paths as Paths;
  });

  afterAll(() => t?.close());

  const operations = () =>
    Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
    );

  it('lists the API only: no HTML page, asset, browser redirect or console route', () => {
    const listed = Object.keys(paths);
    for (const page of [
      '/',
      '/login',
      '/signup',
      '/account',
      '/auth/google',
      '/auth/google/callback',
    ]) {
      expect(listed).not.toContain(page);
    }
    expect(listed.filter((path) => /^\/(assets|account|admin\/console)\b/.test(path))).toEqual([]);
    expect(listed).toEqual(
      expect.arrayContaining(['/auth/me', '/auth/google/exchange', '/oauth/token']),
    );
  });

  it('files every operation under a readable tag', () => {
    const untagged = operations().filter(
      ({ operation }) => !(operation.tags ?? []).some((tag) => TAGS.has(tag)),
    );
    expect(untagged.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  it('gives every operation a summary, a 2xx response, and a JSON schema for each 200 and 201', () => {
    expect(openApiGaps(paths, EMPTY_200)).toEqual([]);
  });

  it('says how to authenticate to GET /auth/me and that the login needs nothing', () => {
    expect(paths['/auth/me']?.get?.security).toEqual([{ bearer: [] }, { session: [] }]);
    expect(paths['/auth/login']?.post?.security).toBeUndefined();
  });

  it('documents the query parameters and the request bodies that were blank', async () => {
    const queries = (path: string, method: string) =>
      (paths[path]?.[method]?.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name);
    expect(queries('/admin/audit', 'get')).toEqual(
      expect.arrayContaining([
        'type',
        'outcome',
        'actorId',
        'subjectId',
        'from',
        'to',
        'page',
        'pageSize',
      ]),
    );
    expect(queries('/admin/users', 'get')).toEqual(
      expect.arrayContaining(['email', 'page', 'pageSize']),
    );
    expect(queries('/admin/keys/rotate', 'post')).toContain('force');
    const schemas = (await request(t.http).get('/docs-json').expect(200)).body.components
      .schemas as Record<string, { properties?: Record<string, unknown> }>;
    expect(Object.keys(schemas['UpdateUserDto']?.properties ?? {})).toEqual(['roles', 'disabled']);
    expect(Object.keys(schemas['GoogleExchangeDto']?.properties ?? {})).toEqual(['code']);
  });
});
