import { serializeCookie } from './session-cookies';

describe('serializeCookie', () => {
  afterEach(() => jest.useRealTimers());

  it('writes Max-Age in whole seconds with a matching Expires, HttpOnly and SameSite=Lax', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    expect(serializeCookie('keycard.sid', 'abc', { path: '/', secure: true, maxAge: 90_500 })).toBe(
      'keycard.sid=abc; Max-Age=90; Path=/; Expires=Thu, 01 Jan 2026 00:01:30 GMT; HttpOnly; ' +
        'Secure; SameSite=Lax',
    );
  });

  it('leaves out Secure when asked, and Max-Age and Expires for a browser-session cookie', () => {
    expect(serializeCookie('keycard.csrf', 'x', { path: '/', secure: false })).toBe(
      'keycard.csrf=x; Path=/; HttpOnly; SameSite=Lax',
    );
  });

  it('clears a cookie with an Expires at the epoch', () => {
    expect(
      serializeCookie('keycard.google', '', {
        path: '/auth/google',
        secure: true,
        expires: new Date(0),
      }),
    ).toBe(
      'keycard.google=; Path=/auth/google; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; ' +
        'Secure; SameSite=Lax',
    );
  });
});
