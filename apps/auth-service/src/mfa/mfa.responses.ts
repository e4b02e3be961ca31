import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiForbiddenResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
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

const notAPerson = () =>
  ApiForbiddenResponse({ description: "A service client's token or an API key: not a person." });
const stepUp = () =>
  ApiUnauthorizedResponse({
    description:
      'No credentials; or, for a user with a second factor, a sign-in without it ' +
      '(`insufficient_user_authentication`, RFC 9470).',
  });

export const ApiMfaStatus = () =>
  applyDecorators(
    ApiOperation({ summary: "The caller's second factors: TOTP, passkeys, recovery codes left." }),
    ApiOkResponse({ type: MfaStatusResponse }),
    ApiUnauthorizedResponse({ description: 'No credentials.' }),
    notAPerson(),
  );

export const ApiStartTotp = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Starts setting up an authenticator app (TOTP): a new secret, pending until confirmed.',
    }),
    ApiOkResponse({ type: TotpEnrolmentResponse }),
    stepUp(),
    notAPerson(),
    ApiConflictResponse({ description: 'An authenticator app is already set up.' }),
  );

export const ApiConfirmTotp = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Confirms the pending authenticator app with a code; answers ten recovery codes.',
    }),
    ApiOkResponse({ type: RecoveryCodesResponse }),
    ApiBadRequestResponse({ description: '`invalid_code`.' }),
    ApiNotFoundResponse({ description: 'No authenticator app is waiting for confirmation.' }),
    notAPerson(),
  );

export const ApiRemoveTotp = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Removes the authenticator app, given one of its codes or the password.',
    }),
    ApiNoContentResponse({ description: 'Removed.' }),
    stepUp(),
    ApiNotFoundResponse({ description: 'No authenticator app is set up.' }),
    ApiTooManyRequestsResponse({ description: 'Too many wrong codes; `Retry-After`.' }),
    notAPerson(),
  );

export const ApiRenewRecoveryCodes = () =>
  applyDecorators(
    ApiOperation({ summary: 'Ten new recovery codes; the old ones stop working.' }),
    ApiOkResponse({ type: RecoveryCodesResponse }),
    stepUp(),
    ApiConflictResponse({ description: 'The user has no second factor.' }),
    notAPerson(),
  );

export const ApiLoginMfa = () =>
  applyDecorators(
    ApiOperation({
      summary: 'The second step of a sign-in: the `mfaToken` and a TOTP or recovery code.',
      description:
        'The `mfaToken` lives 5 minutes, survives wrong codes and is used up on success.',
    }),
    ApiOkResponse({ type: TokenPairResponse }),
    ApiUnauthorizedResponse({ description: 'A wrong code (`invalid_code`) or a bad `mfaToken`.' }),
    ApiTooManyRequestsResponse({
      description: 'Five wrong codes in 15 minutes for this user; `Retry-After`.',
    }),
  );

export const ApiAdminResetMfa = () =>
  applyDecorators(
    ApiOperation({ summary: 'Removes every second factor of a user (admin); the user is mailed.' }),
    ApiNoContentResponse({ description: 'Removed.' }),
    ApiNotFoundResponse({ description: 'No such user.' }),
    ApiForbiddenResponse({ description: 'Not an admin.' }),
  );

export const ApiSessionLoginMfa = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'The second step of the session sign-in: a code for the `mfaToken`; sets the cookie.',
      description:
        'JSON `{mfaToken, code}` answers 200 with the session; the second-step form redirects (303).',
    }),
    ApiOkResponse({ type: CurrentSessionResponse, description: 'The new session (JSON callers).' }),
    ApiUnauthorizedResponse({ description: 'A wrong code (`invalid_code`) or a bad `mfaToken`.' }),
    ApiTooManyRequestsResponse({ description: 'Five wrong codes in 15 minutes; `Retry-After`.' }),
  );

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
  applyDecorators(
    ApiOperation({ summary: "The caller's passkeys." }),
    ApiOkResponse({ type: [PasskeyResponse] }),
    ApiUnauthorizedResponse({ description: 'No credentials.' }),
    notAPerson(),
  );

export const ApiPasskeyOptions = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Starts adding a passkey: options for `navigator.credentials.create()`.',
    }),
    ApiOkResponse({ type: CeremonyResponse }),
    stepUp(),
    notAPerson(),
  );

export const ApiRegisterPasskey = () =>
  applyDecorators(
    ApiOperation({ summary: "Adds a passkey from the browser's answer, under a name." }),
    ApiCreatedResponse({ type: RegisteredPasskeyResponse }),
    ApiBadRequestResponse({ description: 'An expired or used ceremony.' }),
    stepUp(),
    notAPerson(),
  );

export const ApiRemovePasskey = () =>
  applyDecorators(
    ApiOperation({ summary: 'Removes one of the caller’s passkeys.' }),
    ApiNoContentResponse({ description: 'Removed.' }),
    ApiNotFoundResponse({ description: 'Not a passkey of the caller.' }),
    stepUp(),
    notAPerson(),
  );

export const ApiPasskeyLoginOptions = () =>
  applyDecorators(
    ApiOperation({
      summary:
        'Options for a passkey sign-in: with an `mfaToken` as a second factor, else passwordless.',
    }),
    ApiOkResponse({ type: CeremonyResponse }),
    ApiUnauthorizedResponse({ description: 'A bad `mfaToken`.' }),
  );

export const ApiPasskeyLogin = () =>
  applyDecorators(
    ApiOperation({
      summary: 'Signs in with a passkey (second factor or passwordless), for tokens.',
    }),
    ApiOkResponse({ type: TokenPairResponse }),
    ApiBadRequestResponse({ description: 'An expired or used ceremony.' }),
    ApiUnauthorizedResponse({ description: 'The passkey did not verify.' }),
  );

export const ApiSessionPasskeyLogin = () =>
  applyDecorators(
    ApiOperation({ summary: 'Signs in with a passkey and starts a browser session (JSON).' }),
    ApiOkResponse({ type: CurrentSessionResponse }),
    ApiBadRequestResponse({ description: 'An expired or used ceremony.' }),
    ApiUnauthorizedResponse({ description: 'The passkey did not verify.' }),
  );
