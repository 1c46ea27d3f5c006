import { EventBusError, InvalidEventPatternError } from './errors.js';
import { compilePatternTree } from './pattern-compiler.js';
import { matchObject } from './pattern-matcher.js';
import type { ObjectMatcher } from './pattern-model.js';
import { isPlainObject } from './pattern-model.js';

/**
 * EventBridge event patterns: validation with EventBridge's reasons, and matching with its
 * semantics (see "Content filtering in Amazon EventBridge event patterns" and event-ruler, the
 * library behind it). A pattern is a JSON object (or its JSON text) whose leaves are arrays.
 */
export interface CompiledPattern {
  matches(event: unknown): boolean;
}

/** Compiles once for repeated matching; throws InvalidEventPatternError for a pattern AWS refuses. */
export function compilePattern(pattern: unknown): CompiledPattern {
  const root: ObjectMatcher = compilePatternTree(pattern);
  return {
    matches(event: unknown): boolean {
      if (!isPlainObject(event)) throw new EventBusError('event must be a JSON object');
      return matchObject(root, event);
    },
  };
}

/** Undefined when EventBridge would accept the pattern, else its one-line reason. */
export function validatePattern(pattern: unknown): string | undefined {
  try {
    compilePatternTree(pattern);
    return undefined;
  } catch (error) {
    if (error instanceof InvalidEventPatternError) return error.message;
    throw error;
  }
}

/** Whether the event matches; throws InvalidEventPatternError when the pattern itself is invalid. */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern).matches(event);
}
