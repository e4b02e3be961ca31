import { randomBytes } from 'node:crypto';
import { request } from './http';
import type { Credentials, Stack } from './stack';

/** The contract's response shapes (API.md), as far as these tests read them. */
export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: string;
  expiresIn: number;
}

export interface PublicUser {
  id: string;
  email: string;
  name?: string;
  roles: string[];
}

export interface MeResponse {
  sub: string;
  roles: string[];
  scope: string;
  authType: 'jwt' | 'api_key';
}

export interface DocumentResponse {
  id: string;
  title: string;
  body: string;
  ownerId: string;
  createdAt: string;
}

export interface SigningKeyInfo {
  kid: string;
  status: 'next' | 'active' | 'retiring' | 'revoked';
}

export interface ErrorResponse {
  statusCode: number;
  message: string | string[];
}

export interface Jwks {
  keys: Record<string, unknown>[];
}

export interface RegisteredUser extends Credentials {
  user: PublicUser;
}

/** Anything with a running auth-service: a `Stack` or a `Topology`. */
export type AuthTarget = Pick<Stack, 'auth'>;

/** Registers a new user with a unique email and a random password. */
export async function registerUser(stack: AuthTarget, name = 'E2E User'): Promise<RegisteredUser> {
  const credentials = {
    email: `user-${randomBytes(6).toString('hex')}@example.test`,
    password: `pw-${randomBytes(12).toString('base64url')}`,
  };
  const response = await request<PublicUser>('POST', `${stack.auth.url}/auth/register`, {
    json: { ...credentials, name },
  });
  if (response.status !== 201) throw new Error(`register: ${response.status} ${response.text}`);
  return { ...credentials, user: response.body };
}

/** Password login; throws unless 200, so a broken login shows up where it happens. */
export async function login(stack: AuthTarget, credentials: Credentials): Promise<TokenPair> {
  const response = await request<TokenPair>('POST', `${stack.auth.url}/auth/login`, {
    json: { email: credentials.email, password: credentials.password },
  });
  if (response.status !== 200)
    throw new Error(`login ${credentials.email}: ${response.status} ${response.text}`);
  return response.body;
}

export function refresh(stack: AuthTarget, refreshToken: string) {
  return request<TokenPair>('POST', `${stack.auth.url}/auth/refresh`, { json: { refreshToken } });
}

export function resourceMe(stack: Stack, accessToken: string) {
  return request<MeResponse>('GET', `${stack.resource.url}/me`, { bearer: accessToken });
}

export function authMe(stack: AuthTarget, accessToken: string) {
  return request<PublicUser>('GET', `${stack.auth.url}/auth/me`, { bearer: accessToken });
}
