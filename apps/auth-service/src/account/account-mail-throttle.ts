import { Inject, Injectable } from '@nestjs/common';
import { ipBucket, rateLimited, RateLimitStore, sha256Hex } from '@keycard/common';
import { KeycardMetrics } from '@keycard/observability';
import { normalizeEmail } from '../users/users.service';
import { ACCOUNT_SETTINGS, AccountSettings } from './account-settings';

export const ACCOUNT_MAIL_ADDRESS_WINDOW_SECONDS = 3600;
export const ACCOUNT_MAIL_IP_WINDOW_SECONDS = 600;

/**
 * Limits the requests that mail a link (`forgot`, `resend`, e-mail change): per client IP (an IPv6
 * /64 counting as one) in ten minutes, then per address in an hour. An address without an
 * account is counted like any other, so a 429 tells nothing about it; the address is kept in the
 * store only as a hash. Counted in the shared `RateLimitStore` (Redis when `REDIS_URL` is set).
 */
@Injectable()
export class AccountMailThrottle {
  constructor(
    private readonly store: RateLimitStore,
    @Inject(ACCOUNT_SETTINGS) private readonly account: AccountSettings,
    private readonly metrics: KeycardMetrics,
  ) {}

  /** Counts one request from `ip` for `email`; 429 with `Retry-After` over either limit. */
  async hit(email: string, ip: string): Promise<void> {
    const { mailRateLimitPerIp, mailRateLimitPerAddress } = this.account;
    const byIp = await this.store.hit(
      `account-mail:ip:${ipBucket(ip)}`,
      mailRateLimitPerIp,
      ACCOUNT_MAIL_IP_WINDOW_SECONDS,
    );
    if (!byIp.allowed) this.refuse(byIp.retryAfterSeconds);
    const byAddress = await this.store.hit(
      `account-mail:address:${sha256Hex(normalizeEmail(email))}`,
      mailRateLimitPerAddress,
      ACCOUNT_MAIL_ADDRESS_WINDOW_SECONDS,
    );
    if (!byAddress.allowed) this.refuse(byAddress.retryAfterSeconds);
  }

  private refuse(retryAfterSeconds: number): never {
    this.metrics.rateLimited.inc({ limiter: 'account_mail' });
    throw rateLimited(retryAfterSeconds, 'Too many requests for this address; try again later');
  }
}
