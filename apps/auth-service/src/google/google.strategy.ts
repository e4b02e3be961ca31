import type { Provider } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import type { Profile } from 'passport-google-oauth20';
import { Strategy } from 'passport-google-oauth20';
import { GoogleSignInFailure } from './google-failure';
import type { GoogleSettings } from './google-settings';
import { GOOGLE_SETTINGS } from './google-settings';

export const GOOGLE_STRATEGY = 'google';
export const GOOGLE_SCOPES = ['openid', 'email', 'profile'];

/** What Keycard reads from Google's userinfo endpoint. */
export interface GoogleUserInfo {
  sub: string;
  email?: string;
  /** Only a JSON `true` counts as verified. */
  emailVerified: boolean;
  name?: string;
}

function stringField(json: Record<string, unknown>, name: string): string | undefined {
  const value = json[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Parses userinfo JSON; null when it has no subject. */
export function toUserInfo(json: unknown): GoogleUserInfo | null {
  if (typeof json !== 'object' || json === null) return null;
  const record = json as Record<string, unknown>;
  const sub = stringField(record, 'sub');
  if (sub === undefined) return null;
  return {
    sub,
    email: stringField(record, 'email'),
    emailVerified: record['email_verified'] === true,
    name: stringField(record, 'name'),
  };
}

/**
 * `passport-google-oauth20` behind `@nestjs/passport`, configured with the client and the
 * (overridable) provider URLs. Keycard runs the state/PKCE/nonce transaction itself (see
 * README.md: the library's PKCE and state need a session middleware), and uses this strategy for the
 * profile step: `fetchUserInfo` is the library's `userProfile`, bounded by the provider timeout.
 */
export class GoogleStrategy extends PassportStrategy(Strategy, GOOGLE_STRATEGY) {
  constructor(private readonly settings: GoogleSettings) {
    super({
      clientID: settings.clientId,
      clientSecret: settings.clientSecret,
      callbackURL: settings.callbackUrl,
      authorizationURL: settings.authorizationUrl,
      tokenURL: settings.tokenUrl,
      userProfileURL: settings.userInfoUrl,
      scope: GOOGLE_SCOPES,
    });
  }

  /** Not reached: Keycard never hands the callback to `passport.authenticate` (see README.md). */
  validate(_accessToken: string, _refreshToken: string, profile: Profile): Profile {
    return profile;
  }

  /**
   * The userinfo of an access token, through the library's `userProfile`. Rejects with a
   * `GoogleSignInFailure`: `unavailable` for a network error, a timeout or a 5xx, else `bad_response`.
   */
  fetchUserInfo(accessToken: string): Promise<GoogleUserInfo> {
    return new Promise<GoogleUserInfo>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new GoogleSignInFailure('unavailable', 'userinfo request timed out')),
        this.settings.httpTimeout * 1000,
      );
      this.userProfile(accessToken, (error: unknown, profile?: Profile) => {
        clearTimeout(timer);
        if (error) {
          reject(userInfoFailure(error));
          return;
        }
        const info = toUserInfo(profile?._json);
        if (info) resolve(info);
        else reject(new GoogleSignInFailure('bad_response', 'userinfo without a subject'));
      });
    });
  }
}

function userInfoFailure(error: unknown): GoogleSignInFailure {
  const status = (error as { oauthError?: { statusCode?: unknown } }).oauthError?.statusCode;
  if (typeof status === 'number' && status < 500) {
    return new GoogleSignInFailure('bad_response', `userinfo answered ${status}`);
  }
  return new GoogleSignInFailure(
    'unavailable',
    typeof status === 'number' ? `userinfo answered ${status}` : 'userinfo unreachable',
  );
}

/** The strategy exists (and is registered with passport) only when Google sign-in is configured. */
export const googleStrategyProvider: Provider = {
  provide: GoogleStrategy,
  inject: [GOOGLE_SETTINGS],
  useFactory: (settings: GoogleSettings | null): GoogleStrategy | null => {
    if (!settings) return null;
    new Logger('GoogleSignIn').log(`Sign in with Google enabled (issuer ${settings.issuer})`);
    return new GoogleStrategy(settings);
  },
};
