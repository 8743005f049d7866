import { BlockList, isIP } from 'node:net';

/**
 * Addresses a workflow may not reach unless the deployment allows private networks:
 * loopback, private, link-local (cloud metadata lives at 169.254.169.254), carrier-grade
 * NAT, benchmarking, documentation, multicast and reserved ranges. For IPv6 only global
 * unicast (2000::/3) counts as public, minus the ranges that tunnel or translate to IPv4
 * (6to4, Teredo) and could smuggle a private IPv4 address; IPv4-mapped and NAT64 addresses
 * lie outside 2000::/3 and are refused with the rest.
 */
const nonPublicV4 = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  nonPublicV4.addSubnet(network, prefix, 'ipv4');
}

const globalUnicastV6 = new BlockList();
globalUnicastV6.addSubnet('2000::', 3, 'ipv6');
const tunnelledV6 = new BlockList();
for (const [network, prefix] of [
  ['2001::', 32],
  ['2001:db8::', 32],
  ['2002::', 16],
] as const) {
  tunnelledV6.addSubnet(network, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !nonPublicV4.check(address, 'ipv4');
  if (family === 6) return globalUnicastV6.check(address, 'ipv6') && !tunnelledV6.check(address, 'ipv6');
  return false;
}
