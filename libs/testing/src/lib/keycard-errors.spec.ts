import { codeOf, rejection, thrown } from './keycard-errors';

/** Stands in for `@keycard/common`'s KeycardError (libs/testing cannot import libs/common). */
class KeycardError extends Error {
  override name = 'KeycardError';
  readonly status = 409;
  readonly headers = {};
  readonly details = {};
  constructor(readonly code: string) {
    super(code);
  }
}

const CONFLICT = 'conflict';
const refused = () => new KeycardError(CONFLICT);

describe('codeOf / rejection / thrown', () => {
  it('gives the code of a KeycardError, thrown or rejected, and ok for a success', async () => {
    expect(
      codeOf(() => {
        throw refused();
      }),
    ).toBe(CONFLICT);
    expect(codeOf(() => 1)).toBe('ok');
    expect(await codeOf(Promise.reject(refused()))).toBe(CONFLICT);
    expect(await codeOf(Promise.resolve(1))).toBe('ok');
  });

  it('does not take an Error of another name for a refusal', () => {
    const impostor = Object.assign(new Error('x'), { code: CONFLICT });
    expect(() =>
      codeOf(() => {
        throw impostor;
      }),
    ).toThrow(impostor);
  });

  it('rethrows any other error, so a crash never passes for a refusal', async () => {
    const crash = new TypeError('boom');
    expect(() =>
      codeOf(() => {
        throw crash;
      }),
    ).toThrow(crash);
    await expect(codeOf(Promise.reject(crash))).rejects.toBe(crash);
  });

  it('returns the KeycardError itself, and fails on a success or another error', async () => {
    const error = refused();
    expect(await rejection(Promise.reject(error))).toBe(error);
    expect(
      thrown(() => {
        throw error;
      }),
    ).toBe(error);
    await expect(rejection(Promise.resolve())).rejects.toThrow('the call succeeded');
    expect(() => thrown(() => undefined)).toThrow('the call succeeded');
    await expect(rejection(Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });
});
