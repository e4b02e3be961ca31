import type { Repository } from 'typeorm';
import type { RevocationEvent } from '@keycard/auth';
import { ManualClock } from '@keycard/common';
import { ClientsService } from '../clients/clients.service';
import type { OAuthClientEntity } from '../clients/oauth-client.entity';
import type { RevocationEvents } from './revocation-events.service';

/** A log that hands this process's subscribers whatever the test says another instance wrote. */
class FakeLog {
  private readonly listeners: ((event: RevocationEvent) => void)[] = [];
  subscribe(listener: (event: RevocationEvent) => void): () => void {
    this.listeners.push(listener);
    return () => undefined;
  }
  emit(kind: RevocationEvent['kind'], subject: string): void {
    const event = { id: 1, kind, subject, at: 0, expiresAt: 1 };
    for (const listener of this.listeners) listener(event);
  }
}

describe("the auth-service's own caches follow the revocation log", () => {
  it('ClientsService forgets a client another instance revoked, without waiting for CLIENT_CACHE_TTL', async () => {
    const log = new FakeLog();
    const row = { clientId: 'svc_billing', revokedAt: null as number | null } as OAuthClientEntity;
    let reads = 0;
    const repository = {
      findOneBy: () => {
        reads++;
        return Promise.resolve({ ...row });
      },
    } as unknown as Repository<OAuthClientEntity>;
    const clients = new ClientsService(
      repository,
      { bootstrapClients: '', clientCacheTtl: 300 },
      new ManualClock(),
      log as unknown as RevocationEvents,
    );
    expect(await clients.findActive('svc_billing')).not.toBeNull();
    expect(await clients.findActive('svc_billing')).not.toBeNull();
    expect(reads).toBe(1);
    // Another instance revokes it: the row changes, and the log says so.
    row.revokedAt = 1;
    log.emit('client', 'svc_billing');
    expect(await clients.findActive('svc_billing')).toBeNull();
    expect(reads).toBe(2);
  });
});
