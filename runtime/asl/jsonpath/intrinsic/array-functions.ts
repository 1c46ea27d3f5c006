import { IntrinsicFailureError } from '../errors.js';
import { deepEqual } from '../json-value.js';
import type { IntrinsicFunction } from './function-types.js';
import { requireArray, requireInteger } from './values.js';

/** AWS caps the array States.ArrayRange may build. */
const MAX_RANGE_ITEMS = 1000;

export const statesArray: IntrinsicFunction = (args) => args.map((arg) => arg.value);

export const arrayPartition: IntrinsicFunction = ([array, size]) => {
  const items = requireArray('States.ArrayPartition', 0, array.value);
  const chunk = requireInteger('States.ArrayPartition', 1, size.value);
  if (chunk <= 0) {
    throw new IntrinsicFailureError(
      `The chunk size of States.ArrayPartition must be a positive integer, but was ${chunk}`,
    );
  }
  const chunks: unknown[][] = [];
  for (let start = 0; start < items.length; start += chunk) chunks.push(items.slice(start, start + chunk));
  return chunks;
};

export const arrayContains: IntrinsicFunction = ([array, value]) =>
  requireArray('States.ArrayContains', 0, array.value).some((item) => deepEqual(item, value.value));

export const arrayRange: IntrinsicFunction = ([first, last, step]) => {
  const start = requireInteger('States.ArrayRange', 0, first.value);
  const end = requireInteger('States.ArrayRange', 1, last.value);
  const increment = requireInteger('States.ArrayRange', 2, step.value);
  if (increment === 0)
    throw new IntrinsicFailureError('The step of States.ArrayRange must be a non-zero integer');
  const count =
    end === start
      ? 1
      : Math.sign(end - start) === Math.sign(increment)
        ? Math.floor((end - start) / increment) + 1
        : 0;
  if (count > MAX_RANGE_ITEMS) {
    throw new IntrinsicFailureError(
      `States.ArrayRange cannot create more than ${MAX_RANGE_ITEMS} items, but the arguments give ${count}`,
    );
  }
  return Array.from({ length: count }, (_, position) => start + position * increment);
};

export const arrayGetItem: IntrinsicFunction = ([array, index]) => {
  const items = requireArray('States.ArrayGetItem', 0, array.value);
  const position = requireInteger('States.ArrayGetItem', 1, index.value);
  if (position < 0 || position >= items.length) {
    throw new IntrinsicFailureError(
      `The index ${position} given to States.ArrayGetItem is out of bounds for an array of length ${items.length}`,
    );
  }
  return items[position];
};

export const arrayLength: IntrinsicFunction = ([array]) =>
  requireArray('States.ArrayLength', 0, array.value).length;

export const arrayUnique: IntrinsicFunction = ([array]) => {
  const unique: unknown[] = [];
  for (const item of requireArray('States.ArrayUnique', 0, array.value)) {
    if (!unique.some((kept) => deepEqual(kept, item))) unique.push(item);
  }
  return unique;
};
