import type { Type } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ManualClock } from '@keycard/common';
import { ClientsModule } from '../clients/clients.module';
import { AUTH_ENTITIES } from '../database/entities';
import { KeyGenerator } from '../keys/key-material';
import { KeysModule } from '../keys/keys.module';
import { PooledKeyGenerator } from '../keys/keys.test-kit';
import { REDIS_CLIENT } from '../redis/redis.client';
import { SessionsModule } from '../sessions/sessions.module';
import { testAuthConfig } from '../testing/test-config';
import { TestGlobalsModule } from '../testing/test-globals';
import { TestRecordersModule } from '../testing/test-recorders';
import { TokensModule } from '../tokens/tokens.module';
import { UsersModule } from '../users/users.module';
import { RevocationEvents } from './revocation-events.service';

/*
 * Every module that revokes something requires the revocation log: wired without it, the module
 * must fail to build, never run and skip the revocation event (verifiers would keep accepting the
 * revoked credential). The same module with the log builds, so a failure here is the missing
 * provider and nothing else.
 */
const config = testAuthConfig();

function compile(feature: Type, withRevocationLog: boolean) {
  return Test.createTestingModule({
    imports: [
      TestGlobalsModule.with(config, new ManualClock(), [
        { provide: REDIS_CLIENT, useValue: null },
      ]),
      TestRecordersModule.forRoot({ revocations: withRevocationLog }),
      TypeOrmModule.forRoot({
        type: 'better-sqlite3',
        database: ':memory:',
        entities: AUTH_ENTITIES,
        synchronize: true,
      }),
      feature,
    ],
  })
    .overrideProvider(KeyGenerator)
    .useClass(PooledKeyGenerator)
    .compile();
}

const FEATURES: Type[] = [UsersModule, SessionsModule, ClientsModule, KeysModule, TokensModule];

describe.each(FEATURES.map((feature) => [feature.name, feature] as const))(
  '%s and the revocation log',
  (_name, feature) => {
    it('does not build without RevocationEvents', async () => {
      await expect(compile(feature, false)).rejects.toThrow(
        /can't resolve dependencies[\s\S]*RevocationEvents/,
      );
    });

    it('builds with it', async () => {
      const moduleRef = await compile(feature, true);
      expect(moduleRef.get(RevocationEvents)).toBeInstanceOf(RevocationEvents);
      await moduleRef.close();
    });
  },
);
