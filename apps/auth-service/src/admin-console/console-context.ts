import { isInlineError } from '../web/page-errors';
import type { ActiveSession } from '../sessions/sessions.service';
import type { ConsoleViewer } from './views/console-layout';

export function viewerOf({ session, user }: ActiveSession): ConsoleViewer {
  return { email: user.email, csrfToken: session.csrfToken };
}

/** What an action ended with: its value, or a refusal the screen shows inline (409, 404, 400). */
export type Attempt<T> = { ok: true; value: T } | { ok: false; message: string; status: number };

/** Runs an action; a client error becomes an inline message, anything else goes to the page filter. */
export async function attempt<T>(run: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (!isInlineError(error)) throw error;
    return { ok: false, message: String(error.publicMessage), status: error.status };
  }
}
