import { isIPv4, isIPv6 } from 'node:net';

/**
 * The unit an IP rate limit counts: an IPv4 address, or the /64 network of an IPv6 address
 * (one subscriber usually gets a whole /64, so counting single IPv6 addresses would give an
 * attacker 2^64 fresh counters). IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as the IPv4 address.
 */
export function ipBucket(ip: string): string {
  const address = ip.trim().toLowerCase().replace(/%.*$/, ''); // drop an IPv6 zone id
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped && isIPv4(mapped[1])) return mapped[1];
  if (isIPv4(address) || !isIPv6(address)) return address;
  return `${expandIpv6(address).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, without leading zeros. */
function expandIpv6(address: string): string[] {
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  // An embedded IPv4 tail (`::1.2.3.4`) takes two groups; only the first four groups matter here.
  const rightCount = right.reduce((n, group) => n + (group.includes('.') ? 2 : 1), 0);
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - rightCount).fill('0');
  return [...left, ...zeros, ...right].map((group) =>
    group.includes('.') ? group : parseInt(group, 16).toString(16),
  );
}
