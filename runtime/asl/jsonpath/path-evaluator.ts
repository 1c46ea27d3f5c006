import { evaluateFilter } from './filter-evaluator.js';
import { isJsonObject } from './json-value.js';
import { isDefinite, isSegmentDefinite, renderSegments, type Segment } from './path-ast.js';

/**
 * Thrown while walking a path. The texts are Jayway JsonPath's, which AWS embeds in its causes
 * ("Invalid path '$.a.b' : Missing property in path $['a']").
 */
class PathNotFound extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PathNotFound';
  }
}

export type QueryResult =
  | { readonly found: true; readonly value: unknown }
  | { readonly found: false; readonly reason: string };

/**
 * Runs parsed segments over `root` with Jayway's rules: a definite path yields one value or a
 * PathNotFound; an indefinite path (wildcard, slice, filter, deep scan, index list) yields an
 * array, possibly empty, and never fails for a missing branch.
 */
export function querySegments(root: unknown, segments: readonly Segment[]): QueryResult {
  const out: unknown[] = [];
  try {
    walk(root, segments, 0, '$', true, out, root);
  } catch (error) {
    if (error instanceof PathNotFound) return { found: false, reason: error.message };
    throw error;
  }
  if (!isDefinite(segments)) return { found: true, value: out };
  if (out.length === 0) return { found: false, reason: `No results for path: ${renderSegments(segments)}` };
  return { found: true, value: out[0] };
}

/** Values selected by relative segments, for filters: never throws, missing means absent. */
function selectAll(root: unknown, segments: readonly Segment[], documentRoot: unknown): unknown[] {
  const out: unknown[] = [];
  walk(root, segments, 0, '@', false, out, documentRoot);
  return out;
}

function walk(
  model: unknown,
  segments: readonly Segment[],
  index: number,
  currentPath: string,
  upstreamDefinite: boolean,
  out: unknown[],
  documentRoot: unknown,
): void {
  if (index === segments.length) {
    out.push(model);
    return;
  }
  const segment = segments[index];
  const isLeaf = index === segments.length - 1;
  const definiteHere = upstreamDefinite && isSegmentDefinite(segment, isLeaf);
  const next = (value: unknown, fragment: string) =>
    walk(value, segments, index + 1, currentPath + fragment, definiteHere, out, documentRoot);

  switch (segment.kind) {
    case 'property': {
      if (!isJsonObject(model)) {
        if (!upstreamDefinite) return;
        throw new PathNotFound(
          `Expected to find an object with property ${renderSegments([segment]).slice(1)} in path ${currentPath} but found '${javaTypeName(model)}'. This is not a json object according to the JsonProvider: 'com.jayway.jsonpath.spi.json.JacksonJsonProvider'.`,
        );
      }
      if (segment.names.length > 1 && isLeaf) {
        // Jayway merges a trailing ['a','b'] into one object of the properties that exist.
        const merged: Record<string, unknown> = {};
        for (const name of segment.names) if (Object.hasOwn(model, name)) merged[name] = model[name];
        next(merged, renderSegments([segment]).slice(1));
        return;
      }
      for (const name of segment.names) {
        const fragment = `['${name}']`;
        if (!Object.hasOwn(model, name)) {
          if (isLeaf || !definiteHere) continue;
          throw new PathNotFound(`Missing property in path ${currentPath}${fragment}`);
        }
        next(model[name], fragment);
      }
      return;
    }
    case 'index':
    case 'slice': {
      if (!Array.isArray(model)) {
        if (!upstreamDefinite) return;
        if (model === null) throw new PathNotFound(`The path ${currentPath} is null`);
        throw new PathNotFound(
          `Filter: ${renderSegments([segment]).slice(1)} can only be applied to arrays. Current context is: ${JSON.stringify(model)}`,
        );
      }
      for (const position of arrayPositions(segment, model.length)) next(model[position], `[${position}]`);
      return;
    }
    case 'wildcard': {
      if (Array.isArray(model)) {
        for (const [position, item] of model.entries()) next(item, `[${position}]`);
      } else if (isJsonObject(model))
        for (const [name, value] of Object.entries(model)) next(value, `['${name}']`);
      return;
    }
    case 'filter': {
      const accepts = (candidate: unknown) =>
        evaluateFilter(segment.expression, candidate, documentRoot, selectAll);
      if (Array.isArray(model)) {
        model.forEach((item, position) => {
          if (accepts(item)) next(item, `[${position}]`);
        });
      } else if (isJsonObject(model)) {
        if (accepts(model)) next(model, '');
      } else if (upstreamDefinite) {
        throw new PathNotFound(
          `Filter: [?] can only be applied to arrays. Current context is: ${JSON.stringify(model)}`,
        );
      }
      return;
    }
    case 'deepScan': {
      const rest = [segment.target, ...segments.slice(index + 1)];
      for (const node of descendantsAndSelf(model))
        walk(node, rest, 0, currentPath, false, out, documentRoot);
      return;
    }
  }
}

function arrayPositions(segment: Segment & { kind: 'index' | 'slice' }, length: number): number[] {
  if (segment.kind === 'index') {
    return segment.indexes
      .map((position) => (position < 0 ? length + position : position))
      .filter((p) => p >= 0 && p < length);
  }
  const clamp = (value: number) => Math.min(Math.max(value < 0 ? length + value : value, 0), length);
  const start = clamp(segment.start ?? 0);
  const end = clamp(segment.end ?? length);
  const positions: number[] = [];
  for (let position = start; position < end; position++) positions.push(position);
  return positions;
}

function* descendantsAndSelf(model: unknown): Generator<unknown> {
  yield model;
  if (Array.isArray(model)) for (const item of model) yield* descendantsAndSelf(item);
  else if (isJsonObject(model)) for (const value of Object.values(model)) yield* descendantsAndSelf(value);
}

/** AWS runs Jayway on the JVM, so its messages name Java types. */
function javaTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return 'java.lang.String';
  if (typeof value === 'boolean') return 'java.lang.Boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'java.lang.Integer' : 'java.lang.Double';
  return 'java.util.ArrayList';
}
