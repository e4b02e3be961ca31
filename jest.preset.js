// Shared Jest settings for every project. SWC strips types (typecheck is its own target), keeps
// decorator metadata for Nest/TypeORM, and also transforms the few ESM-only dependencies.
const path = require('node:path');

const esmOnly = ['jose', 'openid-client', 'oauth4webapi', 'oauth2-mock-server', 'is-plain-obj'];
// `npm run test:unit` sets KEYCARD_TEST_TIER=unit: only unit specs run (not *.int, *.http, *.fault,
// *.e2e), and the database and Redis drivers are replaced by one that refuses to connect.
// `npm run test:integration` sets KEYCARD_TEST_TIER=integration: only the specs that run against
// TEST_DATABASE_URL / TEST_REDIS_URL when set: every *.int spec, and the *.http specs that depend
// on those variables (jest.tiers.js). CI runs it against PostgreSQL and Redis after `npm test`,
// which already ran everything else the same way (unit and fault specs read neither).
const unitTier = process.env.KEYCARD_TEST_TIER === 'unit';
const integrationTier = process.env.KEYCARD_TEST_TIER === 'integration';
const noDatabase = path.join(__dirname, 'jest.no-database.js');

module.exports = {
  // Node, plus removal of the temp folders made with `tempDir()` once a test file is done.
  testEnvironment: path.join(__dirname, 'jest.environment.js'),
  maxWorkers: 2,
  // Generous: app start-up (RSA keys, argon2) on a loaded 2-core machine can take seconds.
  testTimeout: 30000,
  transform: {
    '^.+\\.m?[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
  },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'html'],
  moduleNameMapper: {
    '^@keycard/(auth|common|observability|testing)$': path.join(__dirname, 'libs/$1/src/index.ts'),
    ...(unitTier ? { '^(better-sqlite3|pg|redis|ioredis)$': noDatabase } : {}),
  },
  testMatch: integrationTier
    ? ['**/*.+(int|http).spec.ts']
    : ['**/?(*.)+(spec|test).ts', ...(unitTier ? ['!**/*.+(int|http|fault|e2e).spec.ts'] : [])],
  testPathIgnorePatterns: [
    '/node_modules/',
    ...(integrationTier
      ? require('./jest.tiers.js')
          .backendIndependentHttpSpecs()
          .map((file) => `^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`)
      : []),
  ],
  // A project without integration specs (the generator) has nothing to run in that tier.
  passWithNoTests: integrationTier,
  setupFiles: [path.join(__dirname, 'jest.setup.js')],
};
