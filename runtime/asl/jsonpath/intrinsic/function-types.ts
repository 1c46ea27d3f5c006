import type { IntrinsicNode } from './ast.js';
import type { RandomSource } from './random-source.js';

/** An evaluated argument together with the node it came from (States.Format needs the raw text). */
export interface IntrinsicArgument {
  readonly value: unknown;
  readonly node: IntrinsicNode;
}

export interface IntrinsicContext {
  readonly random: RandomSource;
}

export type IntrinsicFunction = (args: readonly IntrinsicArgument[], context: IntrinsicContext) => unknown;
