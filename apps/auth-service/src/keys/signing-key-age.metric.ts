import { Injectable, OnModuleInit } from '@nestjs/common';
import { Clock } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { SigningKeyStore } from './signing-key.store';

/**
 * `keycard_signing_key_age_seconds`: how long the active key has been signing, read from the
 * database at each scrape (one indexed query), so every instance reports the shared state and an
 * overdue rotation shows up as a growing value.
 */
@Injectable()
export class SigningKeyAgeMetric implements OnModuleInit {
  constructor(
    private readonly store: SigningKeyStore,
    private readonly clock: Clock,
    private readonly metrics: KeycardMetrics,
  ) {}

  onModuleInit(): void {
    this.metrics.setSigningKeyAgeProvider(() => this.ageSeconds());
  }

  async ageSeconds(): Promise<number | undefined> {
    const active = await this.store.rows.findByStatus('active');
    if (!active) return undefined;
    const since = active.activatedAt ?? active.createdAt;
    return Math.max(0, (this.clock.now() - since) / 1000);
  }
}
