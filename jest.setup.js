// Nest's logger writes every expected warning (reuse detected, bad logins) to the test output;
// keep the output readable unless KEYCARD_TEST_LOGS=1.
if (process.env.KEYCARD_TEST_LOGS !== '1') {
  const { Logger } = require('@nestjs/common');
  Logger.overrideLogger(false);
}
