import { exceedsJsonDepth, MAX_JSON_DEPTH } from './json-depth';

const bytes = (text: string): Buffer => Buffer.from(text, 'utf8');
const arrays = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);
const objects = (depth: number): string => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

describe('exceedsJsonDepth', () => {
  it('allows bodies nested up to the limit and refuses one level more', () => {
    expect(MAX_JSON_DEPTH).toBe(32);
    expect(exceedsJsonDepth(bytes(arrays(32)))).toBe(false);
    expect(exceedsJsonDepth(bytes(objects(32)))).toBe(false);
    expect(exceedsJsonDepth(bytes(arrays(33)))).toBe(true);
    expect(exceedsJsonDepth(bytes(objects(33)))).toBe(true);
  });

  it('refuses 5,000 levels, closed or not, without recursing', () => {
    expect(exceedsJsonDepth(bytes(arrays(5000)))).toBe(true);
    expect(exceedsJsonDepth(bytes('['.repeat(5000)))).toBe(true);
    expect(exceedsJsonDepth(bytes('{"a":'.repeat(5000)))).toBe(true);
  });

  it('counts depth, not the number of brackets', () => {
    const wide = JSON.stringify(Array.from({ length: 1000 }, () => ({ a: [1, { b: [] }] })));
    expect(exceedsJsonDepth(bytes(wide))).toBe(false);
  });

  it('takes a custom limit', () => {
    expect(exceedsJsonDepth(bytes('[[1]]'), 2)).toBe(false);
    expect(exceedsJsonDepth(bytes('[[[1]]]'), 2)).toBe(true);
  });

  it.each<[string, string]>([
    ['brackets inside a string', JSON.stringify({ title: '[[[[{{{{'.repeat(100) })],
    ['an escaped quote before brackets', JSON.stringify({ t: '\\"[[[[[[[[[[' + '['.repeat(100) })],
    [
      'a string of escaped quotes and backslashes',
      JSON.stringify({ t: '\\\\"'.repeat(50) + '{'.repeat(100) }),
    ],
    ['a key made of brackets', JSON.stringify({ ['{'.repeat(100)]: 1 })],
    ['brackets after multi-byte characters', JSON.stringify({ t: 'é€😀' + '['.repeat(100) })],
  ])('does not count %s', (_name, body) => {
    expect(exceedsJsonDepth(bytes(body), 2)).toBe(false);
  });

  it('counts brackets after a string that ends in an escaped backslash', () => {
    // "x\\" is a complete string: the brackets that follow are structure.
    expect(exceedsJsonDepth(bytes('["x\\\\",[[[1]]]]'), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes('["x\\\\",[[[1]]]]'), 4)).toBe(false);
  });

  it('counts brackets after a string that ends in several escaped backslashes', () => {
    // The JSON texts ["\\\\",[[[1]]]] (two escaped backslashes) and ["\\\"[[[",1] (then a quote).
    expect(exceedsJsonDepth(bytes(String.raw`["\\\\",[[[1]]]]`), 3)).toBe(true);
    expect(exceedsJsonDepth(bytes(String.raw`["\\\"[[[",1]`), 1)).toBe(false);
  });

  it('leaves an unterminated string to the parser', () => {
    expect(exceedsJsonDepth(bytes('["abc'))).toBe(false);
    expect(exceedsJsonDepth(bytes('["\\"'))).toBe(false);
  });

  it('is fine with empty and scalar bodies', () => {
    for (const body of ['', '1', '"x"', 'null', '{}', '[]'])
      expect(exceedsJsonDepth(bytes(body))).toBe(false);
  });
});
