export * from './lib/postgres';
export * from './lib/tokens';
export * from './lib/schema-drift';
export * from './lib/http-probe';
export * from './lib/throwaway-servers';
export * from './lib/smtp-sink';
export * from './lib/from-address';
export * from './lib/test-issuer';
