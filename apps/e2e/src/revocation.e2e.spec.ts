import { startSmtpSink } from '@keycard/testing';
import { revocationSuite } from './support/revocation-suite';
import { startStack } from './support/stack';

// The embedded default: SQLite, no Redis; the replicas follow the auth-service's event stream.
describe('revocation on the embedded default (no Redis: the stream)', () => {
  revocationSuite('stream', async () => {
    // The password reset case reads its link from the mail.
    const mail = await startSmtpSink();
    const stack = await startStack({
      label: 'revocation',
      authEnv: { SMTP_URL: mail.url, MAIL_FROM: 'Keycard <no-reply@keycard.test>' },
    }).catch(async (error: unknown) => {
      await mail.close();
      throw error;
    });
    const target = {
      auth: stack.auth,
      replicas: [stack.resource, await stack.startResource('revocation-2')],
      admin: stack.admin,
      client: stack.client,
      issuer: stack.issuer,
      mail,
    };
    return {
      target,
      restartAuth: async () => {
        await stack.auth.process.stop();
        target.auth = await stack.restartAuth();
      },
      restartReplica: async (index, whileDown) => {
        await target.replicas[index].process.stop();
        await whileDown();
        target.replicas[index] = await stack.startResource(`revocation-${index + 1}-restarted`);
      },
      stop: async () => {
        await stack.stop();
        await mail.close();
      },
    };
  });
});
