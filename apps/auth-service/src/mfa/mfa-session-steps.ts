import { Inject, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Clock } from '@keycard/common';
import { toCurrentSessionView } from '../sessions/session-views';
import { authConfig, AuthSettings } from '../config/auth.config';
import {
  AUTHORIZE_RESUME_PATH,
  isReturnPath,
  signInFormPage,
  takeReturnPath,
} from '../sessions/return-path';
import {
  clearCookie,
  clearLoginCsrfCookie,
  readCookie,
  SESSION_COOKIE,
  setCookie,
  setSessionCookie,
} from '../sessions/session-cookies';
import { SessionsService } from '../sessions/sessions.service';
import { toPublicUser } from '../users/public-user';
import type { UserEntity } from '../users/user.entity';
import { isFormPost } from '../web/http-request';
import { redirectTo } from '../web/page-response';
import { RETURN_TO_POLICY } from '../web/return-to-policy';
import type { RedirectPolicy } from '../web/safe-redirect';
import { safeRedirect } from '../web/safe-redirect';
import { CompletedSignIn, MfaChallenge, MfaLoginService } from './mfa-login.service';
import { MFA_SETTINGS, MfaSettings } from './mfa-settings';
import type { SignInContext } from '../auth-context/sign-in-context';
import { passwordSignIn } from '../auth-context/sign-in-context';

/** Holds the `mfaToken` between the password form and the second step (never in a URL or page). */
export const MFA_COOKIE = 'keycard.mfa';
/** Where a Google sign-in goes once its second factor is given (sent only to the second step's posts). */
export const MFA_RETURN_COOKIE = 'keycard.mfa.return';
const MFA_RETURN_PATH = '/session/login';

/**
 * The browser side of the second step, shared by the password form (`POST /session/login`), the
 * code form and passkeys: asking for the factor, and starting the session once it is given.
 */
@Injectable()
export class MfaSessionSteps {
  constructor(
    private readonly sessions: SessionsService,
    private readonly mfaLogin: MfaLoginService,
    private readonly clock: Clock,
    @Inject(authConfig.KEY) private readonly config: AuthSettings,
    @Inject(MFA_SETTINGS) private readonly settings: Pick<MfaSettings, 'tokenTtl'>,
    @Inject(RETURN_TO_POLICY) private readonly returnTo: RedirectPolicy | null,
  ) {}

  /**
   * After a right password at `POST /session/login`: true when `user` has a second factor and
   * the second step was asked for (the caller then stops: no session yet).
   */
  askIfNeeded(user: UserEntity, request: FastifyRequest, response: FastifyReply): boolean {
    const challenge = this.mfaLogin.challenge(user, passwordSignIn(this.clock.now()));
    if (!challenge) return false;
    this.askSecondFactor(challenge, request, response);
    return true;
  }

  /** The session of a completed sign-in: cookie set, second-step cookie dropped, then onwards. */
  async startSession(
    { user, signIn }: CompletedSignIn,
    request: FastifyRequest,
    response: FastifyReply,
  ): Promise<void> {
    const { token, session } = await this.sessions.start(
      user,
      { userAgent: request.headers['user-agent'], ip: request.ip },
      readCookie(request, SESSION_COOKIE),
      signIn,
    );
    setSessionCookie(response, token, this.config);
    clearCookie(response, MFA_COOKIE, { path: '/', secure: this.config.cookieSecure });
    // A Google sign-in's own target first; both cookies are taken (and so forgotten) either way.
    const remembered = takeReturnPath(request, response, this.config);
    const location = this.takeFederatedReturn(request, response) ?? remembered ?? '/account';
    if (isFormPost(request)) {
      clearLoginCsrfCookie(response, this.config);
      redirectTo(response, location);
      return;
    }
    // `location`: where a page's script goes next (the page that sent the browser to sign in).
    void response
      .status(200)
      .header('Cache-Control', 'no-store')
      .send({ ...toCurrentSessionView(session, toPublicUser(user)), location });
  }

  /**
   * For `POST /session/login`: a JSON caller gets the 401 `mfa_required` answer; a form is sent
   * to the second-step page with the `mfaToken` in a cookie that lives as long as the token.
   */
  askSecondFactor(challenge: MfaChallenge, request: FastifyRequest, response: FastifyReply): void {
    if (!isFormPost(request)) throw MfaLoginService.required(challenge);
    // A Google sign-in abandoned at its second step must not choose where this one lands.
    clearCookie(response, MFA_RETURN_COOKIE, this.returnCookie());
    this.sendToSecondStep(challenge, response, signInFormPage(request).location);
  }

  /**
   * After a Google sign-in (`first` is federated): true when `user` has a second factor and the
   * browser was sent to `/login/mfa`, like the password form, with `returnTo` (already checked)
   * remembered for after the code. No session exists until then.
   */
  askAfterFederated(
    user: UserEntity,
    first: SignInContext,
    returnTo: string,
    response: FastifyReply,
  ): boolean {
    const challenge = this.mfaLogin.challenge(user, first);
    if (!challenge) return false;
    if (returnTo === '/account') clearCookie(response, MFA_RETURN_COOKIE, this.returnCookie());
    else {
      const value = Buffer.from(returnTo, 'utf8').toString('base64url');
      setCookie(response, MFA_RETURN_COOKIE, value, {
        ...this.returnCookie(),
        maxAge: this.settings.tokenTtl * 1000,
      });
    }
    this.sendToSecondStep(challenge, response, returnTo);
    return true;
  }

  /** The second-step page, told where the sign-in goes next (see `secondStepPath`). */
  private sendToSecondStep(
    challenge: MfaChallenge,
    response: FastifyReply,
    returnPath: string,
  ): void {
    setCookie(response, MFA_COOKIE, challenge.mfaToken, {
      path: '/',
      secure: this.config.cookieSecure,
      maxAge: this.settings.tokenTtl * 1000,
    });
    redirectTo(response, secondStepPath(returnPath));
  }

  /** A Google sign-in's target while its second step waits, read but not taken (unchecked). */
  returnPathOf(request: FastifyRequest): string | undefined {
    const value = readCookie(request, MFA_RETURN_COOKIE);
    if (value === undefined || !/^[A-Za-z0-9_-]{1,1400}$/.test(value)) return undefined;
    return Buffer.from(value, 'base64url').toString('utf8');
  }

  /** The Google sign-in's target, checked again like Google's `returnTo` (a cookie is input). */
  private takeFederatedReturn(request: FastifyRequest, response: FastifyReply): string | undefined {
    const value = readCookie(request, MFA_RETURN_COOKIE);
    if (value === undefined) return undefined;
    clearCookie(response, MFA_RETURN_COOKIE, this.returnCookie());
    if (!/^[A-Za-z0-9_-]{1,1400}$/.test(value) || !this.returnTo) return undefined;
    const target = Buffer.from(value, 'base64url').toString('utf8');
    return safeRedirect(target, this.returnTo) ?? undefined;
  }

  private returnCookie(): { path: string; secure: boolean } {
    return { path: MFA_RETURN_PATH, secure: this.config.cookieSecure };
  }
}

/**
 * `/login/mfa`, with `next` when the sign-in resumes a page of its own (a waiting authorization
 * request): the page then lets its form's redirects reach where that page leads (`FormTargets`).
 * `next` only shapes the page's CSP; where the browser goes after the code is still decided by the
 * return cookies. `query`: more of the page's query (an error), first.
 */
export function secondStepPath(returnPath: string | undefined, query?: string): string {
  const params = query === undefined ? [] : [query];
  if (returnPath?.startsWith(`${AUTHORIZE_RESUME_PATH}?`) && isReturnPath(returnPath))
    params.push(`next=${encodeURIComponent(returnPath)}`);
  return params.length === 0 ? '/login/mfa' : `/login/mfa?${params.join('&')}`;
}
