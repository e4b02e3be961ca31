import { Registry } from 'prom-client';
import type { Repository } from 'typeorm';
import { ManualClock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import type { SmtpSink } from '@keycard/testing';
import { startSmtpSink } from '@keycard/testing';
import type { OpenDatabase } from '../testing/database-backends';
import { databaseBackends } from '../testing/database-backends';
import { composeMail } from './mail-layout';
import { MailMessageEntity } from './mail-message.entity';
import { MailMetrics } from './mail-metrics';
import { MailOutbox } from './mail-outbox.service';
import {
  MAIL_FIRST_BACKOFF_MS,
  MAIL_FIRST_PAUSE_MS,
  MAIL_MAX_ATTEMPTS,
  mailBackoffMs,
  MailOutboxWorker,
} from './mail-outbox.worker';
import { SmtpMailTransport } from './mail-transport';

/*
 * The outbox against a real SMTP server (the `smtp-server` sink) on SQLite and, when
 * TEST_DATABASE_URL is set, PostgreSQL: delivery, retry with backoff when the server refuses,
 * giving up after the last attempt, one delivery when two workers race.
 */
const FROM = 'Keycard Test <no-reply@keycard.test>';

describe.each(databaseBackends())('mail outbox on $name', (backend) => {
  let database: OpenDatabase;
  let sink: SmtpSink;
  let repository: Repository<MailMessageEntity>;
  let clock: ManualClock;
  let metrics: KeycardMetrics;
  let mailMetrics: MailMetrics;
  let worker: MailOutboxWorker;
  let outbox: MailOutbox;
  const transports: SmtpMailTransport[] = [];
  let counter = 0;

  function newWorker(): MailOutboxWorker {
    const transport = new SmtpMailTransport(sink.url, FROM);
    transports.push(transport);
    return new MailOutboxWorker(repository, transport, mailMetrics, clock);
  }

  beforeAll(async () => {
    database = await backend.open([MailMessageEntity]);
    repository = database.dataSource.getRepository(MailMessageEntity);
    sink = await startSmtpSink();
  });
  afterAll(async () => {
    for (const transport of transports) transport.close();
    await sink?.close();
    await database?.close();
  });
  afterEach(() => worker.idle());
  beforeEach(async () => {
    await repository.clear();
    sink.refuseNext(0);
    clock = new ManualClock();
    metrics = new KeycardMetrics(new Registry());
    mailMetrics = new MailMetrics(metrics);
    const transport = new SmtpMailTransport(sink.url, FROM);
    transports.push(transport);
    worker = new MailOutboxWorker(repository, transport, mailMetrics, clock);
    outbox = new MailOutbox(repository, worker, mailMetrics, clock);
  });

  async function mailTotals(): Promise<Record<string, number>> {
    const metric = await metrics.registry.getSingleMetric('keycard_mail_total')?.get();
    return Object.fromEntries(
      (metric?.values ?? []).map((v) => [String(v.labels['outcome']), v.value]),
    );
  }

  function message(): Parameters<MailOutbox['enqueue']>[0] {
    counter += 1;
    return composeMail({
      to: `outbox-${counter}@example.test`,
      subject: 'Reset your password',
      lines: ['Someone asked to reset the password of your account.'],
      action: {
        label: 'Choose a new password',
        url: `https://id.example.test/reset-password?token=t${counter}`,
        expiresInSeconds: 1800,
      },
      footer: ['If it was not you, ignore this message.'],
    });
  }

  it('delivers a queued message over SMTP in plain text and HTML, then keeps no body', async () => {
    const mail = message();
    await outbox.enqueue(mail);
    await worker.idle();
    const delivered = await sink.waitForMessage((m) => m.to.includes(mail.to));
    expect(delivered.from).toBe('no-reply@keycard.test');
    expect(delivered.subject).toBe('Reset your password · Keycard');
    expect(delivered.headers['auto-submitted']).toBe('auto-generated');
    expect(delivered.links).toEqual([`https://id.example.test/reset-password?token=t${counter}`]);
    expect(delivered.text).toContain('expires in 30 minutes');
    expect(delivered.html).toContain(
      `href="https://id.example.test/reset-password?token=t${counter}"`,
    );
    expect(delivered.html).not.toMatch(/<img/i);
    const [row] = await repository.find();
    expect(row).toMatchObject({ status: 'sent', attempts: 1, text: '', html: '', lastError: null });
    expect(await mailTotals()).toEqual({ queued: 1, sent: 1, failed: 0 });
  });

  it.each(['rcpt', 'data'] as const)(
    'retries with backoff when the server refuses at %s, then delivers once',
    async (stage) => {
      sink.refuseNext(1, stage);
      const mail = message();
      const queuedAt = clock.now();
      await outbox.enqueue(mail);
      await worker.idle();
      expect(sink.messagesTo(mail.to)).toHaveLength(0);
      const [waiting] = await repository.find();
      expect(waiting).toMatchObject({
        status: 'pending',
        attempts: 1,
        nextAttemptAt: queuedAt + MAIL_FIRST_BACKOFF_MS,
      });
      expect(waiting.lastError).toMatch(/451/);

      clock.advance(MAIL_FIRST_BACKOFF_MS - 1);
      expect(await worker.drain()).toBe(0);
      clock.advance(1);
      expect(await worker.drain()).toBe(1);
      expect(sink.messagesTo(mail.to)).toHaveLength(1);
      expect(await repository.findOneByOrFail({ id: waiting.id })).toMatchObject({
        status: 'sent',
        attempts: 2,
      });
      expect(await mailTotals()).toEqual({ queued: 1, sent: 1, failed: 0 });
    },
  );

  it(`gives up after ${MAIL_MAX_ATTEMPTS} attempts, with doubling waits, and marks the message failed`, async () => {
    const refusedBefore = sink.refusals();
    sink.refuseNext(1000);
    await outbox.enqueue(message());
    await worker.idle();
    for (let attempt = 1; attempt < MAIL_MAX_ATTEMPTS; attempt += 1) {
      const row = await repository.findOneByOrFail({});
      expect(row).toMatchObject({ status: 'pending', attempts: attempt });
      expect(row.nextAttemptAt).toBe(clock.now() + mailBackoffMs(attempt));
      clock.advance(mailBackoffMs(attempt));
      await worker.drain();
    }
    expect(mailBackoffMs(2)).toBe(2 * mailBackoffMs(1));
    const row = await repository.findOneByOrFail({});
    expect(row).toMatchObject({
      status: 'failed',
      attempts: MAIL_MAX_ATTEMPTS,
      text: '',
      html: '',
    });
    clock.advance(86_400_000);
    expect(await worker.drain()).toBe(0);
    expect(sink.refusals() - refusedBefore).toBe(MAIL_MAX_ATTEMPTS);
    expect(await mailTotals()).toEqual({ queued: 1, sent: 0, failed: 1 });
  });

  /** Puts `mails` in the outbox, due now, without kicking the worker (one drain sees them all). */
  async function queueDue(mails: ReturnType<typeof message>[]): Promise<void> {
    for (const mail of mails) {
      await repository.insert({
        id: crypto.randomUUID(),
        ...mail,
        status: 'pending',
        attempts: 0,
        nextAttemptAt: clock.now(),
        lastError: null,
        createdAt: clock.now(),
        settledAt: null,
      });
    }
  }

  it('sends a message once when two workers drain the outbox together', async () => {
    const mails = [message(), message(), message()];
    await queueDue(mails);
    const sent = await Promise.all([worker.drain(), newWorker().drain()]);
    expect(sent[0] + sent[1]).toBe(3);
    for (const mail of mails) expect(sink.messagesTo(mail.to)).toHaveLength(1);
  });

  it('pauses the whole outbox while the server cannot be reached, then sends what waited', async () => {
    // A port where a server was and is no more; the server comes back on it below.
    const gone = await startSmtpSink();
    await gone.close();
    const transport = new SmtpMailTransport(`smtp://test:test@127.0.0.1:${gone.port}`, FROM);
    transports.push(transport);
    worker = new MailOutboxWorker(repository, transport, mailMetrics, clock);
    const downOutbox = new MailOutbox(repository, worker, mailMetrics, clock);
    const attempts = async () =>
      (await repository.find()).map((row) => row.attempts).sort((a, b) => a - b);

    const mails = [message(), message(), message()];
    for (const mail of mails) await downOutbox.enqueue(mail);
    await worker.idle();
    // One connection attempt, not one per message: the others wait, unattempted.
    expect(await attempts()).toEqual([0, 0, 1]);

    clock.advance(MAIL_FIRST_PAUSE_MS - 1);
    expect(await worker.drain()).toBe(0);
    expect(await attempts()).toEqual([0, 0, 1]);
    clock.advance(1);
    expect(await worker.drain()).toBe(0);
    expect(await attempts()).toEqual([0, 1, 1]);
    // Still unreachable: the next pause is twice as long.
    clock.advance(2 * MAIL_FIRST_PAUSE_MS - 1);
    expect(await worker.drain()).toBe(0);
    expect(await attempts()).toEqual([0, 1, 1]);

    const back = await startSmtpSink(gone.port);
    try {
      clock.advance(1);
      expect(await worker.drain()).toBe(1);
      const waited = mails.filter((mail) => back.messagesTo(mail.to).length === 1);
      expect(waited).toHaveLength(1);
      // The two that failed wait for their own backoff, then go too.
      clock.advance(MAIL_FIRST_BACKOFF_MS);
      expect(await worker.drain()).toBe(2);
      for (const mail of mails) expect(back.messagesTo(mail.to)).toHaveLength(1);
    } finally {
      transport.close();
      await back.close();
    }
  });

  it('does not pause for a server that refuses one message: the next is tried at once', async () => {
    const mails = [message(), message()];
    await queueDue(mails);
    sink.refuseNext(1);
    expect(await worker.drain()).toBe(1);
    expect((await repository.find()).map((row) => row.attempts)).toEqual([1, 1]);
  });

  it('queues without waiting on SMTP: enqueue returns while the server is down', async () => {
    const down = new SmtpMailTransport('smtp://127.0.0.1:1', FROM);
    transports.push(down);
    const offline = new MailOutboxWorker(repository, down, mailMetrics, clock);
    const offlineOutbox = new MailOutbox(repository, offline, mailMetrics, clock);
    await offlineOutbox.enqueue(message());
    expect(await repository.findOneByOrFail({})).toMatchObject({ status: 'pending' });
    await offline.idle();
    expect(await repository.findOneByOrFail({})).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await mailTotals()).toEqual({ queued: 1, sent: 0, failed: 0 });
  });
});
