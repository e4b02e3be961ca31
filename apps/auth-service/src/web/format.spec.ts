import { describeUserAgent, formatTime } from './format';

describe('page formatting', () => {
  it.each([
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36',
      'Chrome 156 on Linux',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Mobile/15E148 Safari/604.1',
      'Safari 18 on iOS',
    ],
    [
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0',
      'Firefox 140 on Windows',
    ],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/150.0.0.0 Safari/537.36 Edg/150.0.0.0',
      'Edge 150 on macOS',
    ],
    ['curl/8.5.0', 'curl 8'],
    ['', 'Unknown browser'],
    ['something-else', 'something-else'],
  ])('describes %s', (userAgent, expected) => {
    expect(describeUserAgent(userAgent)).toBe(expected);
  });

  it('formats times in UTC to the minute', () => {
    expect(formatTime(Date.UTC(2026, 2, 1, 14, 5, 59))).toBe('2026-03-01 14:05 UTC');
    expect(formatTime('2026-03-01T14:05:00.000Z')).toBe('2026-03-01 14:05 UTC');
    expect(formatTime(null)).toBe('never');
  });
});
