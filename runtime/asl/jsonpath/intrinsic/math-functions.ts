import { IntrinsicFailureError } from '../errors.js';
import type { IntrinsicFunction } from './function-types.js';
import { JavaRandom } from './random-source.js';
import { requireInteger, requireNumber } from './values.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;

/** AWS works on 32-bit ints here and rounds non-integers like Java's Math.round (half up). */
function toJavaInt(fn: string, position: number, value: unknown): number {
  const rounded = Math.round(requireNumber(fn, position, value));
  if (rounded < INT_MIN || rounded > INT_MAX) {
    throw new IntrinsicFailureError(
      `The arguments of ${fn} must be between ${INT_MIN} and ${INT_MAX}, but got ${rounded}`,
    );
  }
  return rounded;
}

export const mathAdd: IntrinsicFunction = ([left, right]) =>
  toJavaInt('States.MathAdd', 0, left.value) + toJavaInt('States.MathAdd', 1, right.value);

export const mathRandom: IntrinsicFunction = ([low, high, seed], context) => {
  const start = toJavaInt('States.MathRandom', 0, low.value);
  const end = toJavaInt('States.MathRandom', 1, high.value);
  if (end <= start) {
    throw new IntrinsicFailureError(
      `States.MathRandom needs a start lower than its end, but got ${start} and ${end}`,
    );
  }
  if (seed === undefined) return context.random.nextInt(start, end);
  const seeded = new JavaRandom(requireInteger('States.MathRandom', 2, seed.value));
  return start + seeded.nextInt(end - start);
};
