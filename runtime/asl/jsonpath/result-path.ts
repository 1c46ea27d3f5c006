import { PathSyntaxError, ResultPathMatchFailureError } from './errors.js';
import { isJsonObject, toCompactJson } from './json-value.js';
import type { Segment } from './path-ast.js';
import { parsePath } from './path-parser.js';

/**
 * Places a state's result into its input as ResultPath says: `undefined` means the default `$`
 * (the result replaces the input), `null` discards the result, `$.a.b` writes into a copy of the
 * input, creating missing objects on the way. The input itself is never mutated.
 */
export function applyResultPath(
  input: unknown,
  resultPath: string | null | undefined,
  result: unknown,
): unknown {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const segments = referenceSegments(resultPath);
  return writeAt(input, segments, 0, result, resultPath, input);
}

/** ResultPath must be a Reference Path: single names and single indexes only. */
function referenceSegments(resultPath: string): readonly Segment[] {
  if (typeof resultPath !== 'string') throw new PathSyntaxError(`ResultPath must be a string or null`);
  const { segments } = parsePath(resultPath);
  for (const segment of segments) {
    const single =
      (segment.kind === 'property' && segment.names.length === 1) ||
      (segment.kind === 'index' && segment.indexes.length === 1);
    if (!single) throw new PathSyntaxError(`Invalid ResultPath '${resultPath}': it must be a reference path`);
  }
  return segments;
}

function writeAt(
  node: unknown,
  segments: readonly Segment[],
  position: number,
  result: unknown,
  resultPath: string,
  input: unknown,
): unknown {
  if (position === segments.length) return result;
  const segment = segments[position];
  if (segment.kind === 'property') {
    const name = segment.names[0];
    // A missing branch is created, as AWS does; anything that is not an object cannot hold a key.
    const container = node === undefined ? {} : node;
    if (!isJsonObject(container)) throw cannotApply(resultPath, input);
    return {
      ...container,
      [name]: writeAt(container[name], segments, position + 1, result, resultPath, input),
    };
  }
  if (segment.kind === 'index' && Array.isArray(node)) {
    const raw = segment.indexes[0];
    const index = raw < 0 ? node.length + raw : raw;
    if (index < 0 || index >= node.length) throw cannotApply(resultPath, input);
    const copy = [...node];
    copy[index] = writeAt(node[index], segments, position + 1, result, resultPath, input);
    return copy;
  }
  throw cannotApply(resultPath, input);
}

function cannotApply(resultPath: string, input: unknown): ResultPathMatchFailureError {
  return new ResultPathMatchFailureError(
    `Unable to apply ResultPath "${resultPath}" to input ${JSON.stringify(toCompactJson(input))}`,
  );
}
