import { timeOrderedUuid } from './crypto';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('timeOrderedUuid', () => {
  it('is a version-7 UUID (RFC 9562 layout and variant)', () => {
    for (let i = 0; i < 200; i++) expect(timeOrderedUuid(Date.now())).toMatch(UUID_V7);
  });

  it('carries its time in the first 48 bits', () => {
    const at = Date.UTC(2026, 11, 6, 12, 0, 0, 123);
    const id = timeOrderedUuid(at);
    expect(parseInt(id.slice(0, 8) + id.slice(9, 13), 16)).toBe(at);
    expect(timeOrderedUuid(0).startsWith('00000000-0000-7')).toBe(true);
  });

  it('sorts as text in the order of its times, whatever its random part', () => {
    const times = [1, 255, 256, 65_535, 1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000];
    const ids = times.map((at) => timeOrderedUuid(at));
    expect([...ids].reverse().sort()).toEqual(ids);
  });

  it('differs within one millisecond', () => {
    const at = Date.now();
    const ids = new Set(Array.from({ length: 10_000 }, () => timeOrderedUuid(at)));
    expect(ids.size).toBe(10_000);
  });
});
