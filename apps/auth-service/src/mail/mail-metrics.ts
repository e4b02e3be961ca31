import { Injectable } from '@nestjs/common';
import { KeycardMetrics } from '@keycard/observability';
import { Counter } from 'prom-client';

export type MailOutcome = 'queued' | 'sent' | 'failed';

/**
 * `keycard_mail_total{outcome}` on the service's own registry: messages queued, sent, and given
 * up on after the last attempt (`failed`). A retry is not an outcome: it shows as queued minus
 * sent minus failed staying above zero.
 */
@Injectable()
export class MailMetrics {
  private readonly counter: Counter<'outcome'>;

  constructor(metrics: KeycardMetrics) {
    this.counter = new Counter({
      name: 'keycard_mail_total',
      help: 'Account mails, by outcome (queued, sent, failed after the last attempt).',
      labelNames: ['outcome'],
      registers: [metrics.registry],
    });
    for (const outcome of ['queued', 'sent', 'failed'] as const) this.counter.inc({ outcome }, 0);
  }

  count(outcome: MailOutcome): void {
    this.counter.inc({ outcome });
  }
}
