import { BlockList, isIP } from 'node:net';
import type { LeafValue, PathSegment, ValueMatcher } from './pattern-model.js';
import { invalid } from './pattern-model.js';

/** `{ "cidr": "10.0.0.0/24" }`: a string event value that is an IP address inside the block. */
export function compileCidr(spec: unknown, path: readonly PathSegment[]): ValueMatcher {
  if (typeof spec !== 'string') invalid('cidr match pattern must be a string', path);
  const parts = spec.split('/');
  if (parts.length !== 2) invalid(`Malformed CIDR, one '/' required: ${spec}`, path);
  const [address, bitsText] = parts;
  const family = isIP(address);
  if (family === 0) invalid(`Invalid IP address in CIDR: ${spec}`, path);
  const maxBits = family === 4 ? 32 : 128;
  const bits = Number(bitsText);
  if (!/^\d+$/.test(bitsText) || bits > maxBits) {
    invalid(`Malformed CIDR, mask bits must be an integer from 0 to ${maxBits}: ${spec}`, path);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const block = new BlockList();
  block.addSubnet(address, bits, type);
  return {
    test(value: LeafValue): boolean {
      return typeof value === 'string' && isIP(value) === family && block.check(value, type);
    },
  };
}
