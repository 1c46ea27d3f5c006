import {
  arrayContains,
  arrayGetItem,
  arrayLength,
  arrayPartition,
  arrayRange,
  arrayUnique,
  statesArray,
} from './array-functions.js';
import { base64Decode, base64Encode, hash } from './encoding-functions.js';
import type { IntrinsicFunction } from './function-types.js';
import { jsonMerge, jsonToString, stringToJson } from './json-functions.js';
import { mathAdd, mathRandom } from './math-functions.js';
import { format, stringSplit, uuid } from './string-functions.js';

/** The 18 intrinsic functions of the Amazon States Language. */
export const INTRINSIC_FUNCTIONS: Readonly<Record<string, IntrinsicFunction>> = {
  'States.Format': format,
  'States.StringToJson': stringToJson,
  'States.JsonToString': jsonToString,
  'States.Array': statesArray,
  'States.ArrayPartition': arrayPartition,
  'States.ArrayContains': arrayContains,
  'States.ArrayRange': arrayRange,
  'States.ArrayGetItem': arrayGetItem,
  'States.ArrayLength': arrayLength,
  'States.ArrayUnique': arrayUnique,
  'States.Base64Encode': base64Encode,
  'States.Base64Decode': base64Decode,
  'States.Hash': hash,
  'States.JsonMerge': jsonMerge,
  'States.MathRandom': mathRandom,
  'States.MathAdd': mathAdd,
  'States.StringSplit': stringSplit,
  'States.UUID': uuid,
};
