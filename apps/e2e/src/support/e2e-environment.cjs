// The Node test environment plus one flag: whether any test or hook of the file failed, so the
// harness prints the tail of the service logs only when there is something to explain.
const { TestEnvironment } = require('jest-environment-node');

class E2eEnvironment extends TestEnvironment {
  async handleTestEvent(event) {
    if (event.name === 'test_fn_failure' || event.name === 'hook_failure') {
      this.global.__KEYCARD_E2E_FAILED__ = true;
    }
  }
}

module.exports = E2eEnvironment;
