import { randomBytes, randomInt } from 'node:crypto';

/** Where States.MathRandom (without a seed) and States.UUID get randomness; tests inject their own. */
export interface RandomSource {
  /** A uniformly distributed integer in [min, max). */
  nextInt(min: number, max: number): number;
  /** `count` random bytes. */
  bytes(count: number): Uint8Array;
}

export const cryptoRandomSource: RandomSource = {
  nextInt: (min, max) => randomInt(min, max),
  bytes: (count) => new Uint8Array(randomBytes(count)),
};

const MULTIPLIER = 0x5deece66dn;
const ADDEND = 0xbn;
const MASK = (1n << 48n) - 1n;

/**
 * java.util.Random, bit for bit. The Step Functions service runs on the JVM, so a seeded
 * States.MathRandom is taken to be `start + new Random(seed).nextInt(end - start)`. That choice is
 * an inference (no recorded AWS output pins it down), but it makes seeded calls repeatable.
 */
export class JavaRandom {
  private seed: bigint;

  constructor(seed: number) {
    this.seed = (BigInt.asIntN(64, BigInt(Math.trunc(seed))) ^ MULTIPLIER) & MASK;
  }

  private next(bits: number): number {
    this.seed = (this.seed * MULTIPLIER + ADDEND) & MASK;
    return Number(BigInt.asIntN(32, this.seed >> BigInt(48 - bits)));
  }

  nextInt(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0) throw new RangeError('bound must be a positive integer');
    if ((bound & -bound) === bound) return Number((BigInt(bound) * BigInt(this.next(31))) >> 31n);
    for (;;) {
      const bits = this.next(31);
      const value = bits % bound;
      // Java rejects the top partial block so every residue is equally likely; in Java this is
      // detected by int overflow of `bits - value + (bound - 1)`.
      if (bits - value + (bound - 1) <= 0x7fffffff) return value;
    }
  }
}
