import { ApiProperty } from '@nestjs/swagger';
import { ApiEndpoint } from '@keycard/observability';
import { TokenPairResponse } from '../tokens/tokens.responses';
import { CurrentSessionResponse } from '../sessions/session.responses';

export class TotpEnrolmentResponse {
  @ApiProperty({ example: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP', description: 'Base32, 160 bits.' })
  secret!: string;

  @ApiProperty({
    example:
      'otpauth://totp/Keycard:ada%40example.com?issuer=Keycard&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&algorithm=SHA1&digits=6&period=30',
  })
  otpauthUrl!: string;
}

export class RecoveryCodesResponse {
  @ApiProperty({
    type: [String],
    example: ['7KQ2M-XH9PD', 'R4TNC-8WZ3F'],
    description: 'Ten single-use codes, shown only here.',
  })
  recoveryCodes!: string[];
}

export class MfaStatusResponse {
  @ApiProperty({ example: true })
  totp!: boolean;

  @ApiProperty({ example: 1 })
  passkeys!: number;

  @ApiProperty({ example: 9 })
  recoveryCodesLeft!: number;
}

const NOT_A_PERSON = "A service client's token or an API key: not a person.";
const STEP_UP =
  'No credentials; or, for a user with a second factor, a sign-in without it ' +
  '(`insufficient_user_authentication`, RFC 9470).';
const BAD_CEREMONY = 'An expired or used ceremony.';

export const ApiMfaStatus = () =>
  ApiEndpoint({
    summary: "The caller's second factors: TOTP, passkeys, recovery codes left.",
    ok: MfaStatusResponse,
    errors: { 401: 'No credentials.', 403: NOT_A_PERSON },
  });

export const ApiStartTotp = () =>
  ApiEndpoint({
    summary:
      'Starts setting up an authenticator app (TOTP): a new secret, pending until confirmed.',
    ok: TotpEnrolmentResponse,
    errors: {
      401: STEP_UP,
      403: NOT_A_PERSON,
      409: 'An authenticator app is already set up.',
    },
  });

export const ApiConfirmTotp = () =>
  ApiEndpoint({
    summary: 'Confirms the pending authenticator app with a code; answers ten recovery codes.',
    ok: RecoveryCodesResponse,
    errors: {
      400: '`invalid_code`.',
      404: 'No authenticator app is waiting for confirmation.',
      403: NOT_A_PERSON,
    },
  });

export const ApiRemoveTotp = () =>
  ApiEndpoint({
    summary: 'Removes the authenticator app, given one of its codes or the password.',
    noContent: 'Removed.',
    errors: {
      401: STEP_UP,
      404: 'No authenticator app is set up.',
      429: 'Too many wrong codes; `Retry-After`.',
      403: NOT_A_PERSON,
    },
  });

export const ApiRenewRecoveryCodes = () =>
  ApiEndpoint({
    summary: 'Ten new recovery codes; the old ones stop working.',
    ok: RecoveryCodesResponse,
    errors: { 401: STEP_UP, 409: 'The user has no second factor.', 403: NOT_A_PERSON },
  });

export const ApiLoginMfa = () =>
  ApiEndpoint({
    summary: 'The second step of a sign-in: the `mfaToken` and a TOTP or recovery code.',
    description: 'The `mfaToken` lives 5 minutes, survives wrong codes and is used up on success.',
    ok: TokenPairResponse,
    errors: {
      401: 'A wrong code (`invalid_code`) or a bad `mfaToken`.',
      429: 'Five wrong codes in 15 minutes for this user; `Retry-After`.',
    },
  });

export const ApiAdminResetMfa = () =>
  ApiEndpoint({
    summary: 'Removes every second factor of a user (admin); the user is mailed.',
    noContent: 'Removed.',
    errors: { 404: 'No such user.', 403: 'Not an admin.' },
  });

export const ApiSessionLoginMfa = () =>
  ApiEndpoint({
    summary: 'The second step of the session sign-in: a code for the `mfaToken`; sets the cookie.',
    description:
      'JSON `{mfaToken, code}` answers 200 with the session; the second-step form redirects (303).',
    ok: { type: CurrentSessionResponse, description: 'The new session (JSON callers).' },
    errors: {
      401: 'A wrong code (`invalid_code`) or a bad `mfaToken`.',
      429: 'Five wrong codes in 15 minutes; `Retry-After`.',
    },
  });

export class PasskeyResponse {
  @ApiProperty({ example: '5d0c2c8e-9f55-4a3e-9d8f-1c2b3a4d5e6f' })
  id!: string;

  @ApiProperty({ example: 'Work laptop' })
  name!: string;

  @ApiProperty({ example: '2026-12-05T08:00:00.000Z' })
  createdAt!: string;

  @ApiProperty({ example: null, nullable: true, type: String })
  lastUsedAt!: string | null;
}

export class CeremonyResponse {
  @ApiProperty({ description: 'WebAuthn options for `navigator.credentials` (JSON form).' })
  options!: object;

  @ApiProperty({ description: 'Send back with the browser answer (sealed challenge, 5 minutes).' })
  ceremony!: string;
}

export class RegisteredPasskeyResponse {
  @ApiProperty({ type: PasskeyResponse })
  passkey!: PasskeyResponse;

  @ApiProperty({
    type: [String],
    required: false,
    description: "Ten recovery codes, when this is the user's first second factor.",
  })
  recoveryCodes?: string[];
}

export const ApiListPasskeys = () =>
  ApiEndpoint({
    summary: "The caller's passkeys.",
    ok: [PasskeyResponse],
    errors: { 401: 'No credentials.', 403: NOT_A_PERSON },
  });

export const ApiPasskeyOptions = () =>
  ApiEndpoint({
    summary: 'Starts adding a passkey: options for `navigator.credentials.create()`.',
    ok: CeremonyResponse,
    errors: { 401: STEP_UP, 403: NOT_A_PERSON },
  });

export const ApiRegisterPasskey = () =>
  ApiEndpoint({
    summary: "Adds a passkey from the browser's answer, under a name.",
    created: RegisteredPasskeyResponse,
    errors: { 400: BAD_CEREMONY, 401: STEP_UP, 403: NOT_A_PERSON },
  });

export const ApiRemovePasskey = () =>
  ApiEndpoint({
    summary: 'Removes one of the caller’s passkeys.',
    noContent: 'Removed.',
    errors: { 404: 'Not a passkey of the caller.', 401: STEP_UP, 403: NOT_A_PERSON },
  });

export const ApiPasskeyLoginOptions = () =>
  ApiEndpoint({
    summary:
      'Options for a passkey sign-in: with an `mfaToken` as a second factor, else passwordless.',
    ok: CeremonyResponse,
    errors: { 401: 'A bad `mfaToken`.' },
  });

export const ApiPasskeyLogin = () =>
  ApiEndpoint({
    summary: 'Signs in with a passkey (second factor or passwordless), for tokens.',
    ok: TokenPairResponse,
    errors: { 400: BAD_CEREMONY, 401: 'The passkey did not verify.' },
  });

export const ApiSessionPasskeyLogin = () =>
  ApiEndpoint({
    summary: 'Signs in with a passkey and starts a browser session (JSON).',
    ok: CurrentSessionResponse,
    errors: { 400: BAD_CEREMONY, 401: 'The passkey did not verify.' },
  });
