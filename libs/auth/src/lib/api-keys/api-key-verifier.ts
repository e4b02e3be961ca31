import type { Principal } from '../principal';

/** A key that passed verification: who it acts for, and its own rate limit when it has one. */
export interface VerifiedApiKey {
  principal: Principal;
  /** Requests a minute allowed for this key. */
  rateLimit?: number;
}
