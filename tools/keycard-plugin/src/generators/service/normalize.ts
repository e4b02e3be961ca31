import type { Tree } from '@nx/devkit';
import { getProjects, names } from '@nx/devkit';
import { migrationLockKey } from './migration-lock';
import type { DefaultPort } from './ports';
import { choosePort, findDefaultPorts } from './ports';
import type { ServiceGeneratorSchema } from './schema';

/** Everything the templates and the workspace edits need, derived once from the options. */
export interface NormalizedService {
  /** `billing` (kebab-case): routes, scope tag, SQLite file, scope prefix. */
  name: string;
  /** `Billing` */
  className: string;
  /** `billing` in camelCase: the config namespace. */
  propertyName: string;
  /** `BILLING`: prefix of the service's own settings. */
  constantName: string;
  /** `billing-service` */
  projectName: string;
  /** `apps/billing-service` */
  projectRoot: string;
  port: number;
  /** `pg_advisory_lock` key held while it migrates PostgreSQL (see migration-lock.ts). */
  migrationLock: number;
  apiKeys: boolean;
  audience: string;
  skipFormat: boolean;
}

const NAME = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;
const MAX_NAME_LENGTH = 40;
const AUDIENCE = /^[A-Za-z0-9._:/-]{1,200}$/;
/**
 * Names whose settings or tags would collide with what exists: AUTH_* are the shared auth
 * settings, the others are scopes and projects of the workspace.
 */
const RESERVED = ['auth', 'resource', 'e2e', 'shared', 'tools', 'common', 'testing', 'api-key'];

function fail(problem: string): never {
  throw new Error(`@keycard/tools:service: ${problem}`);
}

/** `Billing-Service ` → `billing`; rejects anything that is not a usable kebab-case name. */
export function serviceName(raw: string): string {
  const name = (raw ?? '').trim().replace(/-service$/, '');
  if (!NAME.test(name) || name.length > MAX_NAME_LENGTH) {
    fail(
      `"${raw}" is not a valid service name: use kebab-case, a letter first, at most ${MAX_NAME_LENGTH} characters (e.g. billing, order-history)`,
    );
  }
  if (RESERVED.some((word) => name === word || name.startsWith(`${word}-`))) {
    fail(`"${name}" is reserved (it would share settings or tags with ${RESERVED.join(', ')})`);
  }
  return name;
}

function checkFree(
  tree: Tree,
  service: Pick<NormalizedService, 'name' | 'projectName' | 'projectRoot' | 'constantName'>,
  ports: DefaultPort[],
): void {
  const projects = getProjects(tree);
  if (projects.has(service.projectName)) fail(`project ${service.projectName} already exists`);
  if (tree.exists(service.projectRoot)) fail(`${service.projectRoot} already exists`);
  const tag = `scope:${service.name}`;
  for (const [project, config] of projects) {
    if (config.tags?.includes(tag)) fail(`the tag ${tag} is already used by ${project}`);
  }
  const variable = `${service.constantName}_PORT`;
  const owner = ports.find((entry) => entry.variable === variable);
  if (owner) fail(`${variable} is already a setting of ${owner.project}`);
}

/** Validates the options against the workspace and fills in the defaults. */
export function normalizeOptions(tree: Tree, options: ServiceGeneratorSchema): NormalizedService {
  const name = serviceName(options.name);
  const { className, propertyName, constantName } = names(name);
  const projectName = `${name}-service`;
  const service = { name, projectName, projectRoot: `apps/${projectName}`, constantName };
  const ports = findDefaultPorts(tree);
  checkFree(tree, service, ports);
  const audience = (options.audience ?? 'keycard').trim();
  if (!AUDIENCE.test(audience)) {
    fail(`--audience "${options.audience}" may hold only letters, digits and . _ : / -`);
  }
  return {
    ...service,
    className,
    propertyName,
    port: choosePort(ports, options.port),
    migrationLock: migrationLockKey(name),
    apiKeys: options.apiKeys ?? true,
    audience,
    skipFormat: options.skipFormat ?? false,
  };
}
