import type { GeneratorCallback, Tree } from '@nx/devkit';
import { addProjectConfiguration, formatFiles, generateFiles, logger } from '@nx/devkit';
import { join } from 'node:path';
import { addScopeConstraint } from './eslint-constraint';
import { numericLiteral } from './migration-lock';
import type { NormalizedService } from './normalize';
import { normalizeOptions } from './normalize';
import type { ServiceGeneratorSchema } from './schema';

function addProject(tree: Tree, service: NormalizedService): void {
  const root = service.projectRoot;
  addProjectConfiguration(tree, service.projectName, {
    root,
    sourceRoot: `${root}/src`,
    projectType: 'application',
    tags: [`scope:${service.name}`, 'type:app'],
    // build comes from webpack.config.js, test from jest.config.cjs, lint from eslint.config.mjs
    // (the workspace's inference plugins), like every other app. The inferred `serve` is webpack's
    // dev server (a browser tool, not installed), so `serve` runs the built bundle with @nx/js:node.
    targets: {
      serve: {
        continuous: true,
        executor: '@nx/js:node',
        defaultConfiguration: 'development',
        dependsOn: ['build'],
        options: { buildTarget: `${service.projectName}:build`, runBuildTargetDependencies: false },
        configurations: {
          development: { buildTarget: `${service.projectName}:build:development` },
          production: { buildTarget: `${service.projectName}:build:production` },
        },
      },
      typecheck: {
        executor: 'nx:run-commands',
        options: {
          command: `tsc --noEmit -p ${root}/tsconfig.app.json && tsc --noEmit -p ${root}/tsconfig.spec.json`,
        },
      },
      migrate: {
        executor: 'nx:run-commands',
        dependsOn: ['build'],
        options: { command: `node dist/apps/${service.projectName}/migrate.js` },
      },
      e2e: {
        executor: 'nx:run-commands',
        dependsOn: [{ projects: ['auth-service'], target: 'build' }, 'build'],
        cache: false,
        options: { command: `jest --config ${root}/jest.e2e.config.cjs --runInBand` },
      },
    },
  });
}

function nextSteps(service: NormalizedService): string {
  const p = service.projectName;
  return [
    `${p} created: default port ${service.port} (${service.constantName}_PORT), SQLite file DATA_DIR/${service.name}.sqlite`,
    `  npx nx run-many -t lint typecheck test -p ${p}`,
    `  npx nx run ${p}:e2e          # against a real auth-service`,
    `  npx nx run ${p}:migrate      # PostgreSQL migrations without the server`,
    `  npx nx serve ${p}`,
  ].join('\n');
}

/**
 * `nx g @keycard/tools:service <name>`: apps/<name>-service, a NestJS app on Fastify secured by
 * @keycard/auth the way apps/resource-service is, plus its scope's module-boundary rule.
 */
export async function serviceGenerator(
  tree: Tree,
  options: ServiceGeneratorSchema,
): Promise<GeneratorCallback> {
  const service = normalizeOptions(tree, options);
  addProject(tree, service);
  const substitutions = {
    ...service,
    migrationLockLiteral: numericLiteral(service.migrationLock),
    tmpl: '',
  };
  const templates = join(__dirname, 'files');
  generateFiles(tree, join(templates, 'common'), service.projectRoot, substitutions);
  // The API-key spec; the wiring itself is in @keycard/auth and @keycard/common.
  if (service.apiKeys) {
    generateFiles(tree, join(templates, 'api-keys'), service.projectRoot, substitutions);
  }
  // Format only what was generated: the root ESLint config is edited after, by one line in its style.
  if (!service.skipFormat) await formatFiles(tree);
  addScopeConstraint(tree, service.name);
  return () => logger.info(nextSteps(service));
}

export default serviceGenerator;
