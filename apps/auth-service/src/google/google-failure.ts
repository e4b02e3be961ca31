import type { FastifyReply } from 'fastify';
import { html } from '../web/html';
import { layout } from '../web/layout';
import { sendPage } from '../web/page-response';

/** Why a Google sign-in ended without signing anyone in. */
export type GoogleFailureKind =
  | 'state'
  | 'denied'
  | 'provider_error'
  | 'unavailable'
  | 'bad_response'
  | 'bad_id_token'
  | 'unverified_email'
  | 'disabled'
  | 'bad_return_to';

/**
 * A refused or failed Google sign-in. `reason` is for the log only and never holds a token, a
 * code or a secret; the browser gets the page of its `kind`.
 */
export class GoogleSignInFailure extends Error {
  constructor(
    readonly kind: GoogleFailureKind,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'GoogleSignInFailure';
  }
}

interface FailurePage {
  status: number;
  title: string;
  message: string;
}

const PAGES: Record<GoogleFailureKind, FailurePage> = {
  state: {
    status: 403,
    title: 'This sign-in has expired',
    message:
      'For your security, this Google sign-in could not be matched to this browser or was already used. Start again from the sign-in page.',
  },
  denied: {
    status: 403,
    title: 'Google sign-in was cancelled',
    message: 'Google did not let us sign you in. You can try again or sign in with your password.',
  },
  provider_error: {
    status: 502,
    title: 'Google sign-in did not work',
    message: 'Google reported a problem with this sign-in. Please try again.',
  },
  unavailable: {
    status: 503,
    title: 'Google is not reachable',
    message: 'We could not reach Google just now. Please try again in a moment.',
  },
  bad_response: {
    status: 502,
    title: 'Google sign-in did not work',
    message: 'Google sent an answer we could not use. Please try again.',
  },
  bad_id_token: {
    status: 403,
    title: 'Google sign-in could not be verified',
    message: 'The answer from Google did not pass our checks, so nobody was signed in.',
  },
  unverified_email: {
    status: 403,
    title: 'Email address not verified',
    message:
      'Your Google account’s email address is not verified. Verify it with Google, then try again.',
  },
  disabled: {
    status: 403,
    title: 'Account disabled',
    message: 'This account has been disabled. Contact your administrator.',
  },
  bad_return_to: {
    status: 400,
    title: 'That did not work',
    message: 'This sign-in link asks to go somewhere we do not send people.',
  },
};

export function failurePage(kind: GoogleFailureKind): FailurePage {
  return PAGES[kind];
}

/** Renders the page of a failed sign-in, with a way back to `/login`. */
export function sendFailurePage(response: FastifyReply, kind: GoogleFailureKind): void {
  const page = PAGES[kind];
  const body = html`<section class="card">
    <p class="muted small">Error ${page.status}</p>
    <h1>${page.title}</h1>
    <p role="alert">${page.message}</p>
    <a class="button button-secondary" href="/login">Back to sign in</a>
  </section>`;
  sendPage(response, layout({ title: page.title, page: 'error', body }), page.status);
}
