import { Logger } from '@nestjs/common';
import type { Repository } from 'typeorm';
import type { Principal } from '@keycard/auth';
import { ManualClock } from '@keycard/common';
import type { AuditedRequest } from './audit-context';
import { actorOf, runInRequest } from './audit-context';
import { scrubDetails } from './audit-details';
import type { AuditEventEntity } from './audit-event.entity';
import type { AuditEventWriter } from './audit-event.writer';
import type { AuditRecord } from './audit-events';
import { AuditEventType } from './audit-events';
import { AuditService } from './audit.service';
import { userChangeEvents } from './user-change-events';

type Insert = (row: Partial<AuditEventEntity>) => Promise<unknown>;

function serviceWith(insert: jest.MockedFunction<Insert>): AuditService {
  const writer = { insert } as unknown as AuditEventWriter;
  return new AuditService(
    {} as Repository<AuditEventEntity>,
    writer,
    new ManualClock(Date.UTC(2026, 0, 1)),
  );
}

function fakeRequest(user?: Partial<Principal>): AuditedRequest {
  return {
    ip: '203.0.113.9',
    user: user as Principal | undefined,
    headers: { 'user-agent': 'spec-agent/1.0 '.padEnd(400, 'x') },
  };
}

const LOGIN_FAILURE: AuditRecord = {
  type: AuditEventType.LoginFailure,
  outcome: 'failure',
  details: { reason: 'invalid_credentials' },
};

describe('AuditService', () => {
  beforeEach(() => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined));
  afterEach(() => jest.restoreAllMocks());

  it.each([
    [
      'rejects',
      jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(() =>
        Promise.reject(new Error('db down')),
      ),
    ],
    [
      'throws synchronously',
      jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(() => {
        throw new Error('db gone');
      }),
    ],
  ])('never throws nor rejects when the repository %s, and logs it', async (_case, insert) => {
    const audit = serviceWith(insert);
    const pending = audit.record(LOGIN_FAILURE);
    await expect(pending).resolves.toBeUndefined();
    await expect(audit.flush()).resolves.toBeUndefined();
    expect(Logger.prototype.error).toHaveBeenCalledWith(
      expect.stringContaining('auth.login.failure'),
    );
  });

  it('does not make the caller wait for the write', async () => {
    let finish = (): void => undefined;
    const insert = jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(
      () => new Promise((resolve) => (finish = () => resolve(undefined))),
    );
    const audit = serviceWith(insert);
    let done = false;
    void audit.record(LOGIN_FAILURE).then(() => (done = true));
    const flushed = audit.flush();
    await Promise.resolve();
    expect(done).toBe(false);
    finish();
    await flushed;
    expect(done).toBe(true);
  });

  it('takes IP, user agent (cut to 256) and actor from the current request', async () => {
    const insert = jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(() => Promise.resolve());
    const audit = serviceWith(insert);
    const request = fakeRequest({ sub: 'user-1', authType: 'jwt', scopeRestricted: false });
    await runInRequest(request, () =>
      audit.record({ type: AuditEventType.LogoutAll, outcome: 'success' }),
    );
    const row = insert.mock.calls[0][0];
    expect(row).toMatchObject({
      ip: '203.0.113.9',
      actorId: 'user-1',
      actorType: 'user',
      at: Date.UTC(2026, 0, 1),
    });
    expect(row.userAgent).toHaveLength(256);
  });

  it('lets the caller override the request: an explicit null actor is anonymous', async () => {
    const insert = jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(() => Promise.resolve());
    const audit = serviceWith(insert);
    const request = fakeRequest({ sub: 'user-1', authType: 'jwt', scopeRestricted: false });
    await runInRequest(request, () => audit.record({ ...LOGIN_FAILURE, actor: null, ip: null }));
    expect(insert.mock.calls[0][0]).toMatchObject({ actorId: null, actorType: null, ip: null });
  });

  it('records outside a request with no IP and no actor', async () => {
    const insert = jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(() => Promise.resolve());
    await serviceWith(insert).record(LOGIN_FAILURE);
    expect(insert.mock.calls[0][0]).toMatchObject({ ip: null, userAgent: null, actorId: null });
  });

  it('names each event by a time-ordered id (UUIDv7 of its time), so new rows sort last', async () => {
    const insert = jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(() => Promise.resolve());
    await serviceWith(insert).record(LOGIN_FAILURE);
    const { id, at } = insert.mock.calls[0][0];
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(at).toBe(Date.UTC(2026, 0, 1));
    expect(parseInt(`${id?.slice(0, 8)}${id?.slice(9, 13)}`, 16)).toBe(at);
  });

  it('never stores secret-looking details', async () => {
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const insert = jest.fn<Promise<unknown>, [Partial<AuditEventEntity>]>(() => Promise.resolve());
    await serviceWith(insert).record({
      ...LOGIN_FAILURE,
      details: { reason: 'x', password: 'hunter22' },
    });
    expect(insert.mock.calls[0][0].details).toEqual({ reason: 'x' });
    expect(Logger.prototype.warn).toHaveBeenCalledWith(expect.stringContaining('password'));
  });
});

describe('scrubDetails', () => {
  it.each([
    'password',
    'newPassword',
    'passwd',
    'refreshToken',
    'access_token',
    'clientSecret',
    'apiKey',
    'privateKey',
    'code',
    'authorizationCode',
    'cookie',
    'Set-Cookie',
    'passwordHash',
    'credentials',
  ])('drops %s', (key) => {
    expect(scrubDetails({ [key]: 'secret-value', reason: 'kept' })).toEqual({
      details: { reason: 'kept' },
      dropped: [key],
    });
  });

  it('keeps ordinary facts and the email digest, and bounds strings, arrays and entries', () => {
    const many = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, i]));
    const { details } = scrubDetails({
      emailSha256: 'ab'.repeat(32),
      before: ['user'],
      long: 'x'.repeat(1000),
      list: Array.from({ length: 50 }, () => 'r'),
      ...many,
    });
    expect(details?.['emailSha256']).toBe('ab'.repeat(32));
    expect(details?.['before']).toEqual(['user']);
    expect(details?.['long']).toHaveLength(256);
    expect(details?.['list']).toHaveLength(20);
    expect(Object.keys(details ?? {})).toHaveLength(20);
  });

  it('stores null for no details', () => {
    expect(scrubDetails(undefined).details).toBeNull();
    expect(scrubDetails({ token: 't' }).details).toBeNull();
  });
});

describe('actorOf', () => {
  it.each<[Partial<Principal>, { type: string; id: string }]>([
    [
      { sub: 'u1', authType: 'jwt', scopeRestricted: false },
      { type: 'user', id: 'u1' },
    ],
    [
      { sub: 'u1', authType: 'session', scopeRestricted: false },
      { type: 'user', id: 'u1' },
    ],
    [
      { sub: 'svc', clientId: 'svc', authType: 'jwt', scopeRestricted: true },
      { type: 'client', id: 'svc' },
    ],
    [
      { sub: 'u1', tokenId: 'key-1', authType: 'api_key', scopeRestricted: true },
      { type: 'api_key', id: 'key-1' },
    ],
  ])('%o acts as %o', (principal, actor) => {
    expect(actorOf(principal as Principal)).toEqual(actor);
  });
});

describe('userChangeEvents', () => {
  it('records a role change with before/after, and a disable, but not what stayed the same', () => {
    const events = userChangeEvents(
      'u1',
      { roles: ['user'], disabled: false },
      { roles: ['user', 'admin'], disabled: true },
    );
    expect(events).toEqual([
      expect.objectContaining({
        type: 'user.roles_changed',
        subjectId: 'u1',
        details: { before: ['user'], after: ['admin', 'user'] },
      }),
      expect.objectContaining({ type: 'user.disabled', subjectId: 'u1' }),
    ]);
    expect(
      userChangeEvents(
        'u1',
        { roles: ['a', 'b'], disabled: true },
        { roles: ['b', 'a'], disabled: false },
      ),
    ).toEqual([expect.objectContaining({ type: 'user.enabled' })]);
  });
});
