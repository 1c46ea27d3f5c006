import type { LeafField, LeafValue, ObjectMatcher } from './pattern-model.js';
import { isPlainObject } from './pattern-model.js';

const EMPTY: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Matches an event node against a compiled pattern level, with event-ruler's array consistency:
 * when the node is an array of objects, one element has to satisfy the whole level, so two fields
 * are never taken from different elements of the same array. A missing node or a node without
 * objects behaves as an empty object, where only `exists: false` can hold.
 */
export function matchObject(matcher: ObjectMatcher, node: unknown): boolean {
  const candidates = objectCandidates(node);
  if (candidates.length === 0) return matchOne(matcher, EMPTY);
  return candidates.some((candidate) => matchOne(matcher, candidate));
}

function matchOne(matcher: ObjectMatcher, object: Readonly<Record<string, unknown>>): boolean {
  for (const field of matcher.fields) {
    // Own properties only: an event without "constructor" must not find Object's.
    const value = Object.hasOwn(object, field.key) ? object[field.key] : undefined;
    const ok = field.kind === 'leaf' ? matchLeaf(field, value) : matchObject(field.matcher, value);
    if (!ok) return false;
  }
  if (matcher.alternatives) return matcher.alternatives.some((alternative) => matchOne(alternative, object));
  return true;
}

function matchLeaf(field: LeafField, value: unknown): boolean {
  const leaves = leafValues(value);
  // `exists` looks at leaves only: a field holding an object or an empty array does not "exist".
  if (leaves.length === 0) return field.existsFalse;
  if (field.existsTrue) return true;
  return leaves.some((leaf) => field.matchers.some((m) => m.test(leaf)));
}

function objectCandidates(node: unknown): Record<string, unknown>[] {
  if (isPlainObject(node)) return [node];
  if (Array.isArray(node)) return node.flatMap(objectCandidates);
  return [];
}

/** The scalar values at a field: the value itself, or every scalar in a (nested) array. */
function leafValues(value: unknown): LeafValue[] {
  if (Array.isArray(value)) return value.flatMap(leafValues);
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return [value];
  if (typeof value === 'number' && Number.isFinite(value)) return [value];
  return [];
}
