import { Injectable, Logger } from '@nestjs/common';

export type UserDisabledListener = (userId: string) => Promise<void>;

/**
 * Lets other modules react to changes of a user without the users module knowing them: the
 * tokens, sessions and API-key modules subscribe to `onDisabled` and revoke what the user holds.
 */
@Injectable()
export class UserEventsService {
  private readonly logger = new Logger(UserEventsService.name);
  private readonly disabledListeners = new Set<UserDisabledListener>();

  /**
   * Subscribes to "this user was disabled". Listeners must be idempotent: the event is sent again
   * each time an admin sets `disabled: true`, so that a retry finishes a revocation that failed.
   * Returns a function that unsubscribes.
   */
  onDisabled(listener: UserDisabledListener): () => void {
    this.disabledListeners.add(listener);
    return () => this.disabledListeners.delete(listener);
  }

  /** Runs every listener (all of them, even when one fails); rejects if any failed. */
  async emitDisabled(userId: string): Promise<void> {
    const results = await Promise.allSettled(
      [...this.disabledListeners].map((listener) => listener(userId)),
    );
    const failures = results.filter(
      (result): result is PromiseRejectedResult => result.status === 'rejected',
    );
    for (const failure of failures) {
      const reason: unknown = failure.reason;
      this.logger.error(`A user-disabled listener failed for user ${userId}: ${describe(reason)}`);
    }
    if (failures.length > 0) {
      throw new Error(`${failures.length} user-disabled listener(s) failed for user ${userId}`);
    }
  }
}

function describe(reason: unknown): string {
  return reason instanceof Error ? (reason.stack ?? reason.message) : String(reason);
}
