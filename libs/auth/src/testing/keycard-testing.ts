/** The test helpers of libs/auth's specs, in one place (test-only: excluded from tsconfig.lib.json). */
export * from '@keycard/testing';
