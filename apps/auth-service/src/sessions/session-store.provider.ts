import type { Provider } from '@nestjs/common';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import type { RedisClient } from '../redis/redis.client';
import { REDIS_CLIENT } from '../redis/redis.client';
import { RedisSessionStore } from './redis-session.store';
import { SessionEntity } from './session.entity';
import { SessionStore } from './session.store';
import { TypeOrmSessionStore } from './typeorm-session.store';

/**
 * Redis when `REDIS_URL` is set (shared by every instance); otherwise the auth-service's own
 * database, so sessions survive a restart with no extra server. Never an in-memory store.
 */
export const sessionStoreProvider: Provider = {
  provide: SessionStore,
  inject: [REDIS_CLIENT, getRepositoryToken(SessionEntity), Clock],
  useFactory: (
    redis: RedisClient | null,
    repository: Repository<SessionEntity>,
    clock: Clock,
  ): SessionStore =>
    redis ? new RedisSessionStore(redis, clock) : new TypeOrmSessionStore(repository, clock),
};
