// Shared Jest settings for every project. SWC strips types (typecheck is its own target), keeps
// decorator metadata for Nest/TypeORM, and also transforms the few ESM-only dependencies.
const path = require('node:path');

const esmOnly = ['jose', 'openid-client', 'oauth4webapi', 'oauth2-mock-server', 'is-plain-obj'];
// `npm run test:unit` sets KEYCARD_TEST_TIER=unit: only unit specs run (not *.int, *.http, *.fault,
// *.e2e), and the database and Redis drivers are replaced by one that refuses to connect.
const unitTier = process.env.KEYCARD_TEST_TIER === 'unit';
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
  testMatch: [
    '**/?(*.)+(spec|test).ts',
    ...(unitTier ? ['!**/*.+(int|http|fault|e2e).spec.ts'] : []),
  ],
  setupFiles: [path.join(__dirname, 'jest.setup.js')],
};
