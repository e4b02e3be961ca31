import type * as DependencyFailure from './dependency-failure';

/** node-redis is loaded on first use (`redisDriver`), so a service without Redis never loads it. */
describe('redisDriver', () => {
  const load = (): typeof DependencyFailure =>
    require('./dependency-failure') as typeof DependencyFailure;

  afterEach(() => jest.dontMock('redis'));

  it('is not loaded to classify errors that cannot be node-redis errors', () => {
    jest.isolateModules(() => {
      jest.doMock('redis', () => {
        throw new Error('node-redis was loaded');
      });
      const { isDependencyFailure } = load();
      expect(isDependencyFailure(new Error('a bug'))).toBe(false);
      expect(isDependencyFailure(Object.assign(new Error('down'), { code: 'ECONNREFUSED' }))).toBe(
        true,
      );
      expect(isDependencyFailure('a string')).toBe(false);
    });
  });

  it("checks an error named like one of node-redis's against its real classes", () => {
    jest.isolateModules(() => {
      const { isDependencyFailure } = load();
      class TimeoutError extends Error {}
      expect(isDependencyFailure(new TimeoutError('not from node-redis'))).toBe(false);
    });
  });
});
