import type { Tree } from '@nx/devkit';
import { logger, readProjectConfiguration } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { serviceGenerator } from './generator';
import { GENERATED_LOCK_BASE, migrationLockKey, numericLiteral } from './migration-lock';
import type { ServiceGeneratorSchema } from './schema';

const ESLINT_CONFIG = `export default {
  depConstraints: [
      { sourceTag: 'scope:auth', onlyDependOnLibsWithTags: ['scope:auth', 'scope:shared'] },
      { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  ],
};
`;

/** An application project whose settings declare `envPort(env, variable, port)`. */
function addApp(tree: Tree, name: string, variable: string, port: number): void {
  tree.write(
    `apps/${name}/project.json`,
    JSON.stringify({ name, projectType: 'application', sourceRoot: `apps/${name}/src`, tags: [] }),
  );
  tree.write(
    `apps/${name}/src/config/${name}.config.ts`,
    `export const load = (env: Env) => ({ port: envPort(env, '${variable}', ${port}) });\n`,
  );
}

function workspace(): Tree {
  const tree = createTreeWithEmptyWorkspace();
  tree.write('eslint.config.mjs', ESLINT_CONFIG);
  addApp(tree, 'auth-service', 'AUTH_PORT', 3000);
  addApp(tree, 'resource-service', 'RESOURCE_PORT', 3001);
  return tree;
}

const generate = (tree: Tree, options: Partial<ServiceGeneratorSchema> = {}) =>
  serviceGenerator(tree, { name: 'billing', skipFormat: true, ...options });

function filesUnder(tree: Tree, dir: string): string[] {
  return tree.children(dir).flatMap((child) => {
    const path = `${dir}/${child}`;
    return tree.isFile(path) ? [path] : filesUnder(tree, path);
  });
}

const read = (tree: Tree, path: string) => tree.read(path, 'utf-8') ?? '';

describe('@keycard/tools:service', () => {
  let tree: Tree;

  beforeEach(() => {
    tree = workspace();
  });

  it('creates apps/<name>-service with the layout of the resource-service', async () => {
    await generate(tree);
    const files = filesUnder(tree, 'apps/billing-service');
    expect(files).toEqual(
      expect.arrayContaining(
        [
          'project.json',
          'webpack.config.js',
          'jest.config.cjs',
          'jest.e2e.config.cjs',
          'eslint.config.mjs',
          'tsconfig.json',
          'tsconfig.app.json',
          'tsconfig.spec.json',
          'README.md',
          'src/main.ts',
          'src/migrate.ts',
          'src/app.module.ts',
          'src/app.factory.ts',
          'src/app.http.spec.ts',
          'src/billing.e2e-spec.ts',
          'src/config/billing.config.ts',
          'src/config/billing.config.spec.ts',
          'src/database/database.module.ts',
          'src/database/database.module.spec.ts',
          'src/database/migrations.int.spec.ts',
          'src/database/migrations/index.ts',
          'src/observability/billing-observability.ts',
          'src/observability/observability.http.spec.ts',
          'src/billing/billing.controller.ts',
          'src/testing/e2e-stack.ts',
          'src/assets/.gitkeep',
        ].map((file) => `apps/billing-service/${file}`),
      ),
    );
    // `/health` and the issuer's readiness come from the observability library, not a copy.
    expect(files).not.toContain('apps/billing-service/src/health/health.controller.ts');
    expect(read(tree, 'apps/billing-service/src/app.module.ts')).toContain('ServiceHealthModule');
    for (const file of files) {
      expect(file).not.toMatch(/__|\.template$/);
      expect(read(tree, file)).not.toMatch(/<%|%>/);
    }
  });

  it('substitutes the names, port, database file and routes', async () => {
    await generate(tree);
    const config = read(tree, 'apps/billing-service/src/config/billing.config.ts');
    expect(config).toContain("envPort(env, 'BILLING_PORT', 3002)");
    expect(config).toContain("envPostgresUrl(env, 'BILLING_DATABASE_URL')");
    expect(config).toContain("...loadServiceAuthSettings(env, 'keycard'),");
    expect(config).toContain("registerAs('billing'");
    expect(read(tree, 'apps/billing-service/src/database/database.module.ts')).toContain(
      "sqliteFile: 'billing.sqlite',",
    );
    expect(read(tree, 'apps/billing-service/src/database/migrations/index.ts')).toContain(
      'export const BILLING_MIGRATIONS: (new () => MigrationInterface)[] = [];',
    );
    const controller = read(tree, 'apps/billing-service/src/billing/billing.controller.ts');
    expect(controller).toContain("@Controller('billing')");
    expect(controller).toContain("BILLING_READ = 'billing:read'");
    expect(controller).toMatch(/@Roles\(ADMIN_ROLE\)/);
    expect(controller).toMatch(/@CurrentPrincipal\(\)/);
    expect(read(tree, 'apps/billing-service/webpack.config.js')).toContain(
      'serviceWebpackConfig(__dirname)',
    );
  });

  describe('database', () => {
    const database = 'apps/billing-service/src/database';

    it('opens it through the shared @keycard/common helpers, never migrationsRun', async () => {
      await generate(tree);
      const module = read(tree, `${database}/database.module.ts`);
      expect(module).toMatch(
        /serviceTypeOrmModule\(\s*billingConfig\.KEY,\s*BILLING_SCHEMA,?\s*\)/,
      );
      expect(module).toContain('export const BILLING_SCHEMA: ServiceSchema = {');
      expect(module).toContain("sqliteFile: 'billing.sqlite',");
      expect(module).toContain('entities: [],');
      expect(module).not.toMatch(/migrationsRun: true/);
      const migrate = read(tree, 'apps/billing-service/src/migrate.ts');
      expect(migrate).toContain('runMigrateMain(');
      expect(migrate).toContain('schema: BILLING_SCHEMA,');
    });

    it('migrates under a lock key of its own, derived from the name', async () => {
      await generate(tree);
      await generate(tree, { name: 'payments' });
      const key = (service: string) =>
        /migrationLock: ([\d_]+),/.exec(
          read(tree, `apps/${service}-service/src/database/database.module.ts`),
        )?.[1];
      expect(key('billing')).toBe(numericLiteral(migrationLockKey('billing')));
      expect(key('payments')).toBe(numericLiteral(migrationLockKey('payments')));
      expect(key('billing')).not.toBe(key('payments'));
    });

    it('has a drift check and an entity-list check like the resource-service', async () => {
      await generate(tree);
      const spec = read(tree, `${database}/migrations.int.spec.ts`);
      // The checks themselves are @keycard/testing's describeMigrations, as the apps run them.
      expect(spec).toContain('describeMigrations({');
      expect(spec).toContain("label: 'billing',");
      expect(spec).toContain("sourceDir: join(__dirname, '..'),");
      expect(spec).toContain('schema: BILLING_SCHEMA,');
    });
  });

  describe('observability', () => {
    const src = 'apps/billing-service/src';

    it('imports @keycard/observability like the resource-service: probes, metrics, JSON logs', async () => {
      await generate(tree);
      const observability = read(tree, `${src}/observability/billing-observability.ts`);
      // The module itself is @keycard/observability's (service-observability.module.spec.ts).
      expect(observability).toMatch(
        /export const BillingObservabilityModule = serviceObservabilityModule\(\s*'billing-service',\s*billingConfig\.KEY,\s*\{ rateLimitRedis: true \},?\s*\);/,
      );
      expect(observability).toMatch(
        /export const BILLING_OPENAPI = keycardOpenApi\(\s*'billing-service',[^;]*\['bearer', 'apiKey'\],?\s*\);/,
      );
      const module = read(tree, `${src}/app.module.ts`);
      expect(module).toContain(
        '    BillingObservabilityModule,\n    KeycardAuthModule.forRootAsync({',
      );
      expect(module).toContain(
        'serviceAuthOptions(config, { metrics, rateLimitStore: store, redisUrl: config.redisUrl })',
      );
      expect(module).toContain('RateLimitModule.forRootAsync({');
    });

    it('counts refusals in the exception filter, serves /docs and shuts down gracefully', async () => {
      await generate(tree);
      const factory = read(tree, `${src}/app.factory.ts`);
      // The adapter, JSON logs, refusal counting and /docs are @keycard/observability's
      // createServiceApp (its spec, service-app.spec.ts); the factory names the document and limiter.
      expect(factory).toContain(
        "createServiceApp(AppModule, { openApi: BILLING_OPENAPI, rateLimiter: 'api_key' }, options)",
      );
      const main = read(tree, `${src}/main.ts`);
      expect(main).toContain('createApp({ structuredLogs: true, trustProxy: config.trustProxy })');
      expect(main).toContain('drainMs: config.observability.shutdownDrainMs,');
      expect(main).toContain('timeoutMs: config.observability.shutdownTimeoutMs,');
      expect(read(tree, `${src}/testing/e2e-stack.ts`)).toContain('/health/ready');
    });

    it('takes its auth settings and module options from @keycard/auth, not a copy', async () => {
      await generate(tree);
      expect(tree.exists(`${src}/config/keycard-auth.options.ts`)).toBe(false);
      expect(tree.exists(`${src}/rate-limit`)).toBe(false);
      expect(tree.exists(`${src}/testing/jwks-server.ts`)).toBe(false);
      const appSpec = read(tree, `${src}/app.http.spec.ts`);
      expect(appSpec).toMatch(
        /import \{\s*itServesHealthAndItsCaller,\s*startServiceApp,\s*type ServiceAppUnderTest,?\s*\} from '@keycard\/testing';/,
      );
      expect(appSpec).toContain(
        "itServesHealthAndItsCaller(() => running, '/billing/whoami', () => user);",
      );
      expect(read(tree, `${src}/config/billing.config.ts`)).toContain(
        "trustProxy: envBool(env, 'TRUST_PROXY', false),",
      );
    });

    it('reads LOG_LEVEL, METRICS_TOKEN, SHUTDOWN_DRAIN and SHUTDOWN_TIMEOUT and documents them', async () => {
      await generate(tree);
      expect(read(tree, `${src}/config/billing.config.ts`)).toContain(
        'observability: loadObservabilityConfig(env),',
      );
      const spec = read(tree, `${src}/config/billing.config.spec.ts`);
      // The defaults themselves are checked once, in @keycard/observability's config.spec.ts.
      expect(spec).toContain('observability: loadObservabilityConfig({}),');
      for (const variable of ['LOG_LEVEL', 'METRICS_TOKEN', 'SHUTDOWN_DRAIN', 'SHUTDOWN_TIMEOUT']) {
        expect(spec).toContain(`['${variable}', { ${variable}: `);
        expect(read(tree, 'apps/billing-service/README.md')).toContain(`| \`${variable}\` |`);
      }
      expect(read(tree, 'apps/billing-service/README.md')).toContain(
        '`/health/live`, `/health/ready`',
      );
    });

    it('without API keys: no Redis check and no rate-limit counter, the rest the same', async () => {
      await generate(tree, { apiKeys: false });
      const observability = read(tree, `${src}/observability/billing-observability.ts`);
      expect(observability).toMatch(
        /serviceObservabilityModule\(\s*'billing-service',\s*billingConfig\.KEY,?\s*\);/,
      );
      expect(observability).not.toContain('rateLimitRedis');
      expect(read(tree, `${src}/app.factory.ts`)).toContain(
        'createServiceApp(AppModule, { openApi: BILLING_OPENAPI }, options)',
      );
      expect(read(tree, `${src}/app.module.ts`)).toContain(
        'serviceAuthOptions(config, { metrics })',
      );
      const spec = read(tree, `${src}/observability/observability.http.spec.ts`);
      expect(spec).toContain(
        "describeGracefulShutdown('billing-service', start, '/billing/whoami');",
      );
      expect(spec).toContain(
        "itCountsGuardRefusals('billing-service', () => running, '/billing/whoami');",
      );
      expect(spec).toContain("itAnswersTheProbes('billing-service', server);");
      expect(spec).not.toContain('itStaysReadyWithoutItsRateLimitRedis');
    });
  });

  describe('migrationLockKey', () => {
    it('is the same for the same name, above every hand-picked key, and a safe bigint', () => {
      expect(migrationLockKey('billing')).toBe(migrationLockKey('billing'));
      expect(migrationLockKey('billing')).not.toBe(migrationLockKey('payments'));
      for (const name of ['billing', 'payments', 'order-history', 'x'.repeat(40)]) {
        const key = migrationLockKey(name);
        expect(key).toBeGreaterThanOrEqual(GENERATED_LOCK_BASE);
        expect(key).toBeLessThan(2 * GENERATED_LOCK_BASE);
        expect(Number.isSafeInteger(key)).toBe(true);
      }
    });

    it('is FNV-1a of the name plus 2^32', () => {
      // FNV-1a 32 test vectors: "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
      expect(migrationLockKey('')).toBe(GENERATED_LOCK_BASE + 0x811c9dc5);
      expect(migrationLockKey('a')).toBe(GENERATED_LOCK_BASE + 0xe40c292c);
      expect(migrationLockKey('foobar')).toBe(GENERATED_LOCK_BASE + 0xbf9cf968);
    });

    it('is written as a numeric literal with separators', () => {
      expect(numericLiteral(4_294_967_296)).toBe('4_294_967_296');
      expect(numericLiteral(7_301_002)).toBe('7_301_002');
      expect(numericLiteral(999)).toBe('999');
    });
  });

  it('derives every name form from a multi-word name', async () => {
    await generate(tree, { name: 'order-history' });
    const root = 'apps/order-history-service/src';
    expect(read(tree, `${root}/config/order-history.config.ts`)).toContain(
      "envPort(env, 'ORDER_HISTORY_PORT', 3002)",
    );
    expect(read(tree, `${root}/app.module.ts`)).toContain('orderHistoryConfig.KEY');
    expect(read(tree, `${root}/order-history/order-history.controller.ts`)).toContain(
      'export class OrderHistoryController',
    );
  });

  it('tags the project and declares its own targets; build/test/lint are inferred', async () => {
    await generate(tree);
    const project = readProjectConfiguration(tree, 'billing-service');
    expect(project.tags).toEqual(['scope:billing', 'type:app']);
    expect(project.projectType).toBe('application');
    expect(Object.keys(project.targets ?? {}).sort()).toEqual([
      'e2e',
      'migrate',
      'serve',
      'typecheck',
    ]);
    expect(project.targets?.['migrate']).toMatchObject({
      dependsOn: ['build'],
      options: { command: 'node dist/apps/billing-service/migrate.js' },
    });
    expect(project.targets?.['serve']).toMatchObject({
      executor: '@nx/js:node',
      options: { buildTarget: 'billing-service:build' },
    });
    expect(project.targets?.['e2e']?.dependsOn).toEqual([
      { projects: ['auth-service'], target: 'build' },
      'build',
    ]);
  });

  it('allows the new scope to depend on itself and scope:shared, once', async () => {
    await generate(tree);
    const text = read(tree, 'eslint.config.mjs');
    const rule =
      "{ sourceTag: 'scope:billing', onlyDependOnLibsWithTags: ['scope:billing', 'scope:shared'] },";
    expect(text).toContain(`      ${rule}\n      { sourceTag: 'scope:shared'`);
    await generate(tree, { name: 'payments' });
    expect(read(tree, 'eslint.config.mjs').split(rule)).toHaveLength(2);
  });

  it('still generates when the root ESLint config has no scope rules, and says what to add', async () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    tree.delete('eslint.config.mjs');
    await generate(tree);
    expect(tree.exists('eslint.config.mjs')).toBe(false);
    expect(tree.exists('apps/billing-service/src/main.ts')).toBe(true);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("sourceTag: 'scope:billing'"));
    warn.mockRestore();
  });

  describe('ports', () => {
    it('skips every default port already declared', async () => {
      addApp(tree, 'search-service', 'SEARCH_PORT', 3002);
      addApp(tree, 'mail-service', 'MAIL_PORT', 3003);
      await generate(tree);
      expect(read(tree, 'apps/billing-service/src/config/billing.config.ts')).toContain(
        "'BILLING_PORT', 3004)",
      );
    });

    it('counts services made earlier by the generator', async () => {
      await generate(tree, { name: 'billing' });
      await generate(tree, { name: 'payments' });
      expect(read(tree, 'apps/payments-service/src/config/payments.config.ts')).toContain(
        "'PAYMENTS_PORT', 3003)",
      );
    });

    it('takes --port, and refuses one another app has', async () => {
      await generate(tree, { port: 4100 });
      expect(read(tree, 'apps/billing-service/src/config/billing.config.ts')).toContain(
        "'BILLING_PORT', 4100)",
      );
      await expect(generate(tree, { name: 'payments', port: 3001 })).rejects.toThrow(
        /3001 is already the default of resource-service \(RESOURCE_PORT\)/,
      );
      await expect(generate(tree, { name: 'other', port: 70000 })).rejects.toThrow(/--port/);
    });
  });

  describe('API keys', () => {
    it('are wired by default', async () => {
      await generate(tree);
      const config = read(tree, 'apps/billing-service/src/config/billing.config.ts');
      // AUTH_CLIENT_ID / API_KEY_* are read by loadServiceAuthSettings; API keys need the store.
      expect(config).toContain("redisUrl: envRedisUrl(env, 'REDIS_URL'),");
      expect(read(tree, 'apps/billing-service/src/app.module.ts')).toContain(
        'rateLimitStore: store',
      );
      expect(read(tree, 'apps/billing-service/src/billing.e2e-spec.ts')).toContain('x-api-key');
      expect(tree.exists('apps/billing-service/src/app.api-keys.http.spec.ts')).toBe(true);
    });

    it('--apiKeys=false leaves no API-key wiring anywhere', async () => {
      await generate(tree, { apiKeys: false });
      for (const file of filesUnder(tree, 'apps/billing-service')) {
        const text = read(tree, file);
        expect(text).not.toMatch(/AUTH_CLIENT_|API_KEY_|REDIS|apiKey|RateLimit|introspect/i);
      }
      expect(tree.exists('apps/billing-service/src/rate-limit')).toBe(false);
      expect(tree.exists('apps/billing-service/src/app.api-keys.http.spec.ts')).toBe(false);
      expect(read(tree, 'apps/billing-service/src/billing.e2e-spec.ts')).toContain(
        'accepts bearer tokens only',
      );
    });
  });

  it('uses --audience as the default AUTH_AUDIENCE, and refuses one that is not a plain token', async () => {
    await generate(tree, { audience: 'https://billing.example.com' });
    expect(read(tree, 'apps/billing-service/src/config/billing.config.ts')).toContain(
      "...loadServiceAuthSettings(env, 'https://billing.example.com'),",
    );
    await expect(generate(tree, { name: 'other', audience: "x'); evil('" })).rejects.toThrow(
      /--audience/,
    );
  });

  it('accepts a name given with the -service suffix', async () => {
    await generate(tree, { name: 'billing-service' });
    expect(tree.exists('apps/billing-service/src/billing/billing.controller.ts')).toBe(true);
  });

  it.each([
    ['', /not a valid service name/],
    ['Billing', /not a valid service name/],
    ['1billing', /not a valid service name/],
    ['bill_ing', /not a valid service name/],
    ['bill--ing', /not a valid service name/],
    ['billing-', /not a valid service name/],
    ['../billing', /not a valid service name/],
    ['x'.repeat(41), /not a valid service name/],
    ['auth', /reserved/],
    ['auth-audit', /reserved/],
    ['resource', /reserved/],
    ['e2e', /reserved/],
    ['shared', /reserved/],
  ])('rejects the name %p', async (name, problem) => {
    const before = filesUnder(tree, 'apps');
    await expect(generate(tree, { name })).rejects.toThrow(problem);
    expect(filesUnder(tree, 'apps')).toEqual(before);
  });

  it('rejects a service that already exists, or a taken tag or port variable', async () => {
    await generate(tree);
    await expect(generate(tree)).rejects.toThrow(/project billing-service already exists/);
    tree.write('apps/ledger-service/README.md', 'someone else was here');
    await expect(generate(tree, { name: 'ledger' })).rejects.toThrow(
      /apps\/ledger-service already exists/,
    );
    tree.write(
      'libs/tax/project.json',
      JSON.stringify({ name: 'tax', projectType: 'library', tags: ['scope:tax'] }),
    );
    await expect(generate(tree, { name: 'tax' })).rejects.toThrow(
      /scope:tax is already used by tax/,
    );
    addApp(tree, 'legacy', 'INVOICES_PORT', 3900);
    await expect(generate(tree, { name: 'invoices' })).rejects.toThrow(
      /INVOICES_PORT is already a setting of legacy/,
    );
  });
});
