import { revocationSuite } from './support/revocation-suite';
import { startTopology, topologyUnavailable } from './support/topology';

// The compose topology (PostgreSQL and Redis): revocations reach the replicas on Redis pub/sub.
// Run by `npm run topology`; skipped in plain e2e runs.
const unavailable = topologyUnavailable();

(unavailable ? describe.skip : describe)('revocation in the compose topology (Redis)', () => {
  revocationSuite('redis', async () => {
    const topology = await startTopology('revocation-topology');
    const target = {
      auth: topology.auth,
      replicas: [...topology.resources],
      admin: topology.admin,
      client: topology.client,
    };
    return {
      target,
      restartAuth: async () => {
        await topology.auth.process.stop();
        target.auth = await topology.restartAuth();
      },
      restartReplica: async (index, whileDown) => {
        target.replicas[index] = await topology.restartResource(index, whileDown);
      },
      stop: () => topology.stop(),
    };
  });
});

if (unavailable) {
  describe('revocation in the compose topology', () => {
    it.skip(`is skipped: ${unavailable}`, () => undefined);
  });
}
