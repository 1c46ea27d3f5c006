import { IntrinsicFailureError } from '../errors.js';
import type { IntrinsicFunction } from './function-types.js';
import { requireObject, requireString } from './values.js';

export const stringToJson: IntrinsicFunction = ([text]) => {
  const source = requireString('States.StringToJson', 0, text.value);
  // AWS returns null for an empty or blank string (recorded: string_to_json with "").
  if (source.trim() === '') return null;
  try {
    return JSON.parse(source);
  } catch {
    throw new IntrinsicFailureError('The argument of States.StringToJson is not a valid JSON string');
  }
};

export const jsonToString: IntrinsicFunction = ([value]) => JSON.stringify(value.value) ?? 'null';

export const jsonMerge: IntrinsicFunction = ([left, right, deep]) => {
  const first = requireObject('States.JsonMerge', 0, left.value);
  const second = requireObject('States.JsonMerge', 1, right.value);
  // Only shallow merges exist: the developer guide requires the flag to be false.
  if (deep.value !== false) {
    throw new IntrinsicFailureError(
      'The third argument of States.JsonMerge must be false: only shallow merge is supported',
    );
  }
  return { ...first, ...second };
};
