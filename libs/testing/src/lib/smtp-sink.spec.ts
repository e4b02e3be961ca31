import { createTransport } from 'nodemailer';
import type { SmtpSink } from './smtp-sink';
import { startSmtpSink } from './smtp-sink';

describe('SMTP sink', () => {
  let sink: SmtpSink;
  const transport = () => createTransport({ url: sink.url });

  beforeAll(async () => {
    sink = await startSmtpSink();
  });
  afterAll(() => sink.close());

  it('keeps a delivered message, decoded: subject, text, HTML and the links of the text', async () => {
    const link = `https://id.example.test/reset-password?token=${'a'.repeat(43)}&x=1`;
    const mailer = transport();
    await mailer.sendMail({
      from: 'Keycard <no-reply@keycard.test>',
      to: 'Ada@Example.test',
      subject: 'Réinitialiser — ton mot de passe',
      text: `Bonjour, voici le lien (à usage unique) ${'long line '.repeat(12)}:\n${link}\n`,
      html: `<p>Bonjour</p><a href="${link.replace('&', '&amp;')}">lien</a>`,
    });
    mailer.close();
    const message = await sink.waitForMessage((m) => m.to.includes('ada@example.test'));
    expect(message.subject).toBe('Réinitialiser — ton mot de passe');
    expect(message.from).toBe('no-reply@keycard.test');
    expect(message.text).toContain('à usage unique');
    expect(message.links).toEqual([link]);
    expect(message.html).toContain('href="https://id.example.test/reset-password?token=');
  });

  it.each(['rcpt', 'data'] as const)(
    'refuses the next messages at %s when told to',
    async (stage) => {
      sink.refuseNext(1, stage);
      const mailer = transport();
      await expect(
        mailer.sendMail({ from: 'a@keycard.test', to: `refused-${stage}@example.test`, text: 'x' }),
      ).rejects.toMatchObject({ responseCode: 451 });
      await mailer.sendMail({
        from: 'a@keycard.test',
        to: `accepted-${stage}@example.test`,
        text: 'y',
      });
      mailer.close();
      expect(sink.messagesTo(`refused-${stage}@example.test`)).toHaveLength(0);
      expect(sink.messagesTo(`accepted-${stage}@example.test`)).toHaveLength(1);
    },
  );

  it('waitForMessage gives up with a clear error', async () => {
    await expect(sink.waitForMessage(() => false, 50)).rejects.toThrow(
      'No matching mail within 50 ms',
    );
  });
});
