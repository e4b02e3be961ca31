import { openApiGaps } from './openapi-gaps';

describe('openApiGaps', () => {
  const json = { content: { 'application/json': { schema: {} } } };

  it('names operations without a summary, a 2xx, or a schema for a 200/201 body', () => {
    expect(
      openApiGaps({
        '/ok': { get: { summary: 'Fine.', responses: { '200': json } } },
        '/quiet': { get: { summary: ' ', responses: { '204': {} } } },
        '/failing': { post: { summary: 'Only errors.', responses: { '400': {} } } },
        '/blank': { post: { summary: 'No schema.', responses: { '201': {} } } },
        '/metrics': { get: { summary: 'Text.', responses: { '200': json } } },
      }),
    ).toEqual([
      'get /quiet: no summary',
      'post /failing: no 2xx',
      'post /blank: 201 has no JSON schema',
      'get /metrics: 200 has no JSON schema',
    ]);
  });

  it('lets a 200 be empty where its RFC says so', () => {
    const paths = { '/revoke': { post: { summary: 'Revokes.', responses: { '200': {} } } } };
    expect(openApiGaps(paths, new Set(['post /revoke']))).toEqual([]);
  });
});
