import request from 'supertest';
import type { AccountTestApp } from '../account/account.test-kit';
import { login, register } from '../account/account.test-kit';
import { totpCodeAt } from './totp';

/* Test-only helpers of the second-factor specs: enrol a user's authenticator app over the API. */

export const PASSWORD = 'kT9#qz!w-registered';
export const STEP = 30_000;

export interface EnrolledUser {
  id: string;
  email: string;
  secret: string;
  recoveryCodes: string[];
}

/** Registers `email`, signs in with the password and sets up TOTP; the clock moves one step on. */
export async function enrolTotp(t: AccountTestApp, email: string): Promise<EnrolledUser> {
  const { id } = await register(t, email, PASSWORD);
  const { accessToken } = await login(t, email, PASSWORD);
  const started = await request(t.http)
    .post('/auth/mfa/totp')
    .auth(accessToken, { type: 'bearer' })
    .expect(200);
  const { secret } = started.body as { secret: string };
  const confirmed = await request(t.http)
    .post('/auth/mfa/totp/confirm')
    .auth(accessToken, { type: 'bearer' })
    .send({ code: totpCodeAt(secret, t.clock.now()) })
    .expect(200);
  // The confirming code's step is used up: the next code must come from a later step.
  t.clock.advance(STEP);
  return { id, email, secret, ...(confirmed.body as { recoveryCodes: string[] }) };
}

/** The password step of a user with a second factor: its mfaToken. */
export async function passwordStep(t: AccountTestApp, email: string): Promise<string> {
  const response = await request(t.http)
    .post('/auth/login')
    .send({ email, password: PASSWORD })
    .expect(401);
  return (response.body as { mfaToken: string }).mfaToken;
}
