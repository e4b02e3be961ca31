import { Injectable } from '@nestjs/common';
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { CompletedSignIn, MfaLoginService } from './mfa-login.service';
import { CeremonyStart, PasskeysService } from './passkeys.service';

/**
 * Signing in with a passkey, on every path (API tokens, browser session): as the second step of
 * a password sign-in (`mfaToken` given: a passkey of that user), or on its own (a discoverable
 * passkey with user verification says who signs in).
 */
@Injectable()
export class PasskeyLoginService {
  constructor(
    private readonly passkeys: PasskeysService,
    private readonly mfaLogin: MfaLoginService,
  ) {}

  options(mfaToken?: string): Promise<CeremonyStart<PublicKeyCredentialRequestOptionsJSON>> {
    return mfaToken
      ? this.passkeys.authenticationOptions('second_factor', this.mfaLogin.userOf(mfaToken))
      : this.passkeys.authenticationOptions('passwordless');
  }

  async complete(
    ceremony: string,
    response: AuthenticationResponseJSON,
    mfaToken?: string,
  ): Promise<CompletedSignIn> {
    if (mfaToken) {
      return this.mfaLogin.completeWithVerifiedPasskey(mfaToken, async (userId) => {
        await this.passkeys.verifyAssertion('second_factor', ceremony, response, userId);
        return true;
      });
    }
    const factor = await this.passkeys.verifyAssertion('passwordless', ceremony, response);
    return this.mfaLogin.completePasswordless(factor.userId);
  }
}
