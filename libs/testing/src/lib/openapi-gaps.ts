/** The parts of an OpenAPI operation `openApiGaps` reads. */
interface OpenApiOperation {
  summary?: string;
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}

/** What a route answers with: JSON, except Prometheus' text from `/metrics`. */
const mediaType = (path: string) => (path === '/metrics' ? 'text/plain' : 'application/json');

/**
 * What an OpenAPI document (`/docs-json`'s `paths`) leaves out: every operation needs a summary, a
 * 2xx response and a schema for each 200 and 201 body, except the `emptyBodies` (`post /path`)
 * whose 200 is empty by their RFC. Empty when nothing is missing.
 */
export function openApiGaps(
  paths: Record<string, Record<string, OpenApiOperation>>,
  emptyBodies: ReadonlySet<string> = new Set(),
): string[] {
  return Object.entries(paths).flatMap(([path, methods]) =>
    Object.entries(methods).flatMap(([method, operation]) => {
      const name = `${method} ${path}`;
      const statuses = Object.keys(operation.responses ?? {});
      return [
        ...(operation.summary?.trim() ? [] : [`${name}: no summary`]),
        ...(statuses.some((status) => /^2\d\d$/.test(status)) ? [] : [`${name}: no 2xx`]),
        ...statuses
          .filter((status) => status === '200' || status === '201')
          .filter(() => !emptyBodies.has(name))
          .filter((status) => !operation.responses?.[status]?.content?.[mediaType(path)]?.schema)
          .map((status) => `${name}: ${status} has no JSON schema`),
      ];
    }),
  );
}
