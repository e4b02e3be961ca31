import { ErrorCode, KeycardError } from '@keycard/common';
import type { ClientsService } from '../clients/clients.service';
import type { OAuthClientEntity } from '../clients/oauth-client.entity';
import { presentedClientCredentials } from './client-credentials';
import { OAuthClientAuthenticator } from './oauth-client-authenticator';
import type { OAuthRequest } from './oauth-params';
import { OAuthParams } from './oauth-params';

/** RFC 6749 §2.3.1: id and secret are form-urlencoded, then joined by ':' and base64-encoded. */
function basic(id: string, secret: string): string {
  const encode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);
  return `Basic ${Buffer.from(`${encode(id)}:${encode(secret)}`).toString('base64')}`;
}

function request(body: Record<string, unknown>, authorization?: string): OAuthRequest {
  return { authorization, params: new OAuthParams(body) };
}

function failure(run: () => unknown): KeycardError {
  try {
    run();
  } catch (error) {
    if (error instanceof KeycardError) return error;
    throw error;
  }
  throw new Error('expected a KeycardError');
}

describe('presentedClientCredentials', () => {
  it('reads client_secret_basic and form-decodes id and secret', () => {
    const id = 'svc:with space+plus';
    const secret = 'p@ss+w%rd:colon é';
    expect(presentedClientCredentials(request({}, basic(id, secret)))).toEqual({
      method: 'client_secret_basic',
      clientId: id,
      clientSecret: secret,
    });
  });

  it('reads plain (unencoded) Basic credentials made only of safe characters', () => {
    const header = `Basic ${Buffer.from('svc_abc:cs_def-ghi').toString('base64')}`;
    expect(presentedClientCredentials(request({}, header))).toMatchObject({
      clientId: 'svc_abc',
      clientSecret: 'cs_def-ghi',
    });
  });

  it('reads client_secret_post', () => {
    expect(
      presentedClientCredentials(request({ client_id: 'svc', client_secret: 's3cret' })),
    ).toEqual({
      method: 'client_secret_post',
      clientId: 'svc',
      clientSecret: 's3cret',
    });
  });

  it('accepts a body client_id equal to the Basic id, and no credentials at all', () => {
    expect(
      presentedClientCredentials(request({ client_id: 'svc' }, basic('svc', 'x')))?.clientId,
    ).toBe('svc');
    expect(presentedClientCredentials(request({ grant_type: 'refresh_token' }))).toBeUndefined();
  });

  it.each([
    [
      'both Basic and client_secret in the body',
      { client_id: 'svc', client_secret: 'x' },
      basic('svc', 'x'),
    ],
    ['a body client_id other than the Basic one', { client_id: 'other' }, basic('svc', 'x')],
    ['a repeated client_secret', { client_id: 'svc', client_secret: ['a', 'b'] }, undefined],
  ])('refuses %s with invalid_request', (_case, body, authorization) => {
    expect(failure(() => presentedClientCredentials(request(body, authorization))).code).toBe(
      ErrorCode.OAuthInvalidRequest,
    );
  });

  it.each([
    ['a Bearer token instead of Basic', 'Bearer abc.def.ghi'],
    ['Basic without a colon', `Basic ${Buffer.from('justanid').toString('base64')}`],
    ['Basic with an empty id', `Basic ${Buffer.from(':secret').toString('base64')}`],
    ['Basic that is not base64', 'Basic %%%'],
    [
      'Basic with broken percent-encoding',
      `Basic ${Buffer.from('svc:%E0%A4%A').toString('base64')}`,
    ],
  ])('refuses %s with invalid_client and a Basic challenge', (_case, authorization) => {
    const error = failure(() => presentedClientCredentials(request({}, authorization)));
    expect(error.code).toBe(ErrorCode.OAuthInvalidClient);
    expect(error.status).toBe(401);
    expect(error.headers['WWW-Authenticate']).toBe('Basic realm="keycard"');
  });

  it('reads a client_id alone as method none (for public clients only: see the authenticator)', () => {
    expect(presentedClientCredentials(request({ client_id: 'svc' }))).toEqual({
      method: 'none',
      clientId: 'svc',
    });
  });

  it.each([['client_secret without client_id', { client_secret: 'x' }]])(
    'refuses %s with invalid_client',
    (_case, body) => {
      expect(failure(() => presentedClientCredentials(request(body))).code).toBe(
        ErrorCode.OAuthInvalidClient,
      );
    },
  );
});

describe('OAuthClientAuthenticator', () => {
  const client = {
    clientId: 'svc',
    type: 'service',
    scopes: ['a'],
    revokedAt: null,
  } as OAuthClientEntity;
  const spa = {
    clientId: 'spa',
    type: 'spa',
    scopes: [] as string[],
    revokedAt: null,
  } as unknown as OAuthClientEntity;
  const calls: [string, string][] = [];
  const clients = {
    authenticate: async (id: string, secret: string) => {
      calls.push([id, secret]);
      return id === 'svc' && secret === 'right secret' ? client : null;
    },
    findActive: async (id: string) => ({ svc: client, spa })[id] ?? null,
  } as unknown as ClientsService;
  const authenticator = new OAuthClientAuthenticator(clients);

  async function rejection(promise: Promise<unknown>): Promise<KeycardError> {
    const error: unknown = await promise.then(
      () => new Error('expected a rejection'),
      (caught: unknown) => caught,
    );
    if (!(error instanceof KeycardError)) throw error;
    return error;
  }

  it('returns the client for a right secret, by Basic or in the body', async () => {
    await expect(
      authenticator.authenticate(request({}, basic('svc', 'right secret'))),
    ).resolves.toBe(client);
    await expect(
      authenticator.require(request({ client_id: 'svc', client_secret: 'right secret' })),
    ).resolves.toBe(client);
    expect(calls).toContainEqual(['svc', 'right secret']);
  });

  it('returns null when no credentials were sent, but require() answers invalid_client', async () => {
    await expect(authenticator.authenticate(request({}))).resolves.toBeNull();
    const error = await rejection(authenticator.require(request({})));
    expect(error.code).toBe(ErrorCode.OAuthInvalidClient);
    expect(error.headers['WWW-Authenticate']).toBe('Basic realm="keycard"');
  });

  it('takes a client_id alone from a public client, and refuses it from a confidential or unknown one', async () => {
    await expect(authenticator.authenticate(request({ client_id: 'spa' }))).resolves.toBe(spa);
    for (const id of ['svc', 'nobody']) {
      const error = await rejection(authenticator.authenticate(request({ client_id: id })));
      expect(error.code).toBe(ErrorCode.OAuthInvalidClient);
      expect(error.headers['WWW-Authenticate']).toBeUndefined();
    }
  });

  it.each([
    ['a wrong secret', 'svc', 'Wr0ng-S3cret'],
    ['an unknown client id', 'nobody', 'right secret'],
  ])(
    'refuses %s: 401 invalid_client, challenged only when Basic was used',
    async (_case, id, secret) => {
      const viaBasic = await rejection(authenticator.authenticate(request({}, basic(id, secret))));
      expect(viaBasic.code).toBe(ErrorCode.OAuthInvalidClient);
      expect(viaBasic.headers['WWW-Authenticate']).toBe('Basic realm="keycard"');
      const viaPost = await rejection(
        authenticator.authenticate(request({ client_id: id, client_secret: secret })),
      );
      expect(viaPost.code).toBe(ErrorCode.OAuthInvalidClient);
      expect(viaPost.headers['WWW-Authenticate']).toBeUndefined();
      expect(JSON.stringify(viaPost)).not.toContain(secret);
    },
  );
});
