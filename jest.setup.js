// Nest's logger writes every expected warning (reuse detected, bad logins) to the test output;
// keep the output readable unless KEYCARD_TEST_LOGS=1.
// The same for the JSON logs of apps that read LOG_LEVEL from process.env (the resource-service).
if (process.env.KEYCARD_TEST_LOGS !== '1') {
  const { Logger } = require('@nestjs/common');
  Logger.overrideLogger(false);
  process.env.LOG_LEVEL ??= 'silent';
}
