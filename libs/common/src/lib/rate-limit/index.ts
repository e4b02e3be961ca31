export * from './rate-limit.store';
export * from './memory-rate-limit.store';
export * from './redis-rate-limit.store';
export * from './rate-limit.module';
