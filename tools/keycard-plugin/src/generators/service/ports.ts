import type { Tree } from '@nx/devkit';
import { getProjects, visitNotIgnoredFiles } from '@nx/devkit';

/** A default port declared by a project's settings: `envPort(env, 'BILLING_PORT', 3002)`. */
export interface DefaultPort {
  project: string;
  variable: string;
  port: number;
}

/** The first port tried for a new service: 3000 is the auth-service, 3001 the resource-service. */
export const FIRST_SERVICE_PORT = 3002;

const ENV_PORT = /envPort\(\s*\w+\s*,\s*'([A-Z][A-Z0-9_]*)'\s*,\s*(\d+)\s*\)/g;

/**
 * Every default port the workspace's applications declare through `envPort(...)` in their
 * sources (specs excluded). Services made by this generator declare theirs the same way.
 */
export function findDefaultPorts(tree: Tree): DefaultPort[] {
  const found: DefaultPort[] = [];
  for (const [project, config] of getProjects(tree)) {
    if (config.projectType !== 'application') continue;
    const sourceRoot = config.sourceRoot ?? config.root;
    if (!tree.exists(sourceRoot)) continue;
    visitNotIgnoredFiles(tree, sourceRoot, (path) => {
      if (!path.endsWith('.ts') || /\.(spec|test)\.ts$|e2e-spec\.ts$/.test(path)) return;
      const text = tree.read(path, 'utf-8') ?? '';
      for (const match of text.matchAll(ENV_PORT)) {
        found.push({ project, variable: match[1], port: Number(match[2]) });
      }
    });
  }
  return found;
}

/**
 * `requested` if it is free (an error naming the owner otherwise), else the first free port from
 * FIRST_SERVICE_PORT up.
 */
export function choosePort(taken: DefaultPort[], requested?: number): number {
  const owner = (port: number) => taken.find((entry) => entry.port === port);
  if (requested !== undefined) {
    if (!Number.isInteger(requested) || requested < 1 || requested > 65535) {
      throw new Error(`--port must be a whole number from 1 to 65535, got ${requested}`);
    }
    const clash = owner(requested);
    if (clash) {
      throw new Error(
        `--port ${requested} is already the default of ${clash.project} (${clash.variable}); pick another`,
      );
    }
    return requested;
  }
  let port = FIRST_SERVICE_PORT;
  while (owner(port)) port++;
  return port;
}
