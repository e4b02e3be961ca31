export * from './lib/postgres';
export * from './lib/tokens';
