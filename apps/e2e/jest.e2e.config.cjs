// Black-box tests of the BUILT services, run by `nx run e2e:e2e` only. The file is deliberately
// not named jest.config.*: @nx/jest would infer a `test` target from it and `npm test` (which needs
// no servers) would start running these.
module.exports = {
  ...require('../../jest.preset.js'),
  displayName: 'e2e',
  rootDir: __dirname,
  testMatch: ['<rootDir>/src/**/*.e2e.spec.ts'],
  testEnvironment: '<rootDir>/src/support/e2e-environment.cjs',
  // Each spec file starts its own pair of processes; one at a time keeps ports and CPU calm.
  maxWorkers: 1,
  testTimeout: 30_000,
};
