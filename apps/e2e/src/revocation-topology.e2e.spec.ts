import { startSmtpSink } from '@keycard/testing';
import { revocationSuite } from './support/revocation-suite';
import { startTopology, topologyUnavailable } from './support/topology';

// The compose topology (PostgreSQL and Redis): revocations reach the replicas on Redis pub/sub.
// Run by `npm run topology`; skipped in plain e2e runs.
const unavailable = topologyUnavailable();

(unavailable ? describe.skip : describe)('revocation in the compose topology (Redis)', () => {
  revocationSuite('redis', async () => {
    // The password reset case reads its link from the mail.
    const mail = await startSmtpSink();
    const topology = await startTopology('revocation-topology', {
      authEnv: { SMTP_URL: mail.url, MAIL_FROM: 'Keycard <no-reply@keycard.test>' },
    }).catch(async (error: unknown) => {
      await mail.close();
      throw error;
    });
    const target = {
      auth: topology.auth,
      replicas: [...topology.resources],
      admin: topology.admin,
      client: topology.client,
      issuer: topology.issuer,
      mail,
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
      stop: async () => {
        await topology.stop();
        await mail.close();
      },
    };
  });
});

if (unavailable) {
  describe('revocation in the compose topology', () => {
    it.skip(`is skipped: ${unavailable}`, () => undefined);
  });
}
