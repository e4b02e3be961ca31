// The Node test environment, plus: the folders that tests made with `tempDir()` of @keycard/testing
// are removed once the test file is done (after every afterAll hook, so apps are closed by then).
const { rmSync } = require('node:fs');
const { TestEnvironment } = require('jest-environment-node');

class KeycardTestEnvironment extends TestEnvironment {
  async teardown() {
    const dirs = this.global.__keycardTempDirs;
    await super.teardown();
    for (const dir of dirs ?? []) rmSync(dir, { recursive: true, force: true });
  }
}

module.exports = KeycardTestEnvironment;
