import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { Repository } from 'typeorm';
import { Clock } from '@keycard/common';
import { MailMessageEntity } from './mail-message.entity';
import { MailMetrics } from './mail-metrics';
import { MailOutboxWorker } from './mail-outbox.worker';

/** A message to queue: the sender is `MAIL_FROM`. */
export interface MailToSend {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/**
 * The one way to send mail: `enqueue` writes an outbox row and returns; the worker sends it. So
 * no request waits on SMTP, and a message that cannot be sent now is retried, not lost.
 */
@Injectable()
export class MailOutbox {
  constructor(
    @InjectRepository(MailMessageEntity) private readonly outbox: Repository<MailMessageEntity>,
    private readonly worker: MailOutboxWorker,
    private readonly metrics: MailMetrics,
    private readonly clock: Clock,
  ) {}

  async enqueue(mail: MailToSend): Promise<void> {
    const now = this.clock.now();
    await this.outbox.insert({
      id: randomUUID(),
      ...mail,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastError: null,
      createdAt: now,
      settledAt: null,
    });
    this.metrics.count('queued');
    this.worker.kick();
  }
}
