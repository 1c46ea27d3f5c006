import { createHash } from 'node:crypto';
import { IntrinsicFailureError } from '../errors.js';
import type { IntrinsicFunction } from './function-types.js';
import { requireMaxLength, requireString } from './values.js';

/** AWS limits the input of States.Base64Encode/Decode and States.Hash to 10,000 characters. */
const MAX_ENCODING_INPUT = 10_000;

const HASH_ALGORITHMS: Readonly<Record<string, string>> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const base64Encode: IntrinsicFunction = ([data]) => {
  const text = requireMaxLength(
    'States.Base64Encode',
    0,
    requireString('States.Base64Encode', 0, data.value),
    MAX_ENCODING_INPUT,
  );
  return Buffer.from(text, 'utf8').toString('base64');
};

export const base64Decode: IntrinsicFunction = ([data]) => {
  const text = requireMaxLength(
    'States.Base64Decode',
    0,
    requireString('States.Base64Decode', 0, data.value),
    MAX_ENCODING_INPUT,
  );
  // Node's decoder silently skips bad characters; AWS refuses them, so check the alphabet first.
  if (!BASE64.test(text))
    throw new IntrinsicFailureError('The argument of States.Base64Decode is not valid base64');
  return Buffer.from(text, 'base64').toString('utf8');
};

export const hash: IntrinsicFunction = ([data, algorithm]) => {
  const text = requireMaxLength(
    'States.Hash',
    0,
    requireString('States.Hash', 0, data.value),
    MAX_ENCODING_INPUT,
  );
  const name = requireString('States.Hash', 1, algorithm.value);
  const nodeName = HASH_ALGORITHMS[name];
  if (!nodeName) {
    throw new IntrinsicFailureError(
      `States.Hash does not support the algorithm '${name}'; use one of ${Object.keys(HASH_ALGORITHMS).join(', ')}`,
    );
  }
  return createHash(nodeName).update(text, 'utf8').digest('hex');
};
