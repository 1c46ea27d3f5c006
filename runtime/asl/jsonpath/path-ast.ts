/** The parsed form of a JSONPath expression as Step Functions (Jayway JsonPath) understands it. */

export type Segment =
  | { readonly kind: 'property'; readonly names: readonly string[] }
  | { readonly kind: 'index'; readonly indexes: readonly number[] }
  | { readonly kind: 'wildcard' }
  | { readonly kind: 'slice'; readonly start: number | undefined; readonly end: number | undefined }
  | { readonly kind: 'filter'; readonly expression: FilterExpression }
  | { readonly kind: 'deepScan'; readonly target: Segment };

export type FilterOperand =
  | { readonly kind: 'path'; readonly root: '@' | '$'; readonly segments: readonly Segment[] }
  | { readonly kind: 'literal'; readonly value: unknown }
  | { readonly kind: 'regex'; readonly pattern: RegExp };

export const ComparisonOperator = {
  Equal: '==',
  NotEqual: '!=',
  LessThan: '<',
  LessThanOrEqual: '<=',
  GreaterThan: '>',
  GreaterThanOrEqual: '>=',
  Matches: '=~',
} as const;
export type ComparisonOperator = (typeof ComparisonOperator)[keyof typeof ComparisonOperator];

export type FilterExpression =
  | { readonly kind: 'and' | 'or'; readonly left: FilterExpression; readonly right: FilterExpression }
  | { readonly kind: 'not'; readonly operand: FilterExpression }
  | { readonly kind: 'exists'; readonly operand: FilterOperand }
  | {
      readonly kind: 'compare';
      readonly operator: ComparisonOperator;
      readonly left: FilterOperand;
      readonly right: FilterOperand;
    };

export interface ParsedPath {
  readonly source: string;
  readonly segments: readonly Segment[];
}

/**
 * A path is definite when it can select at most one node. Jayway treats a multi-property bracket
 * as definite only when it is the last segment, because there it merges into one object.
 */
export function isDefinite(segments: readonly Segment[]): boolean {
  return segments.every((segment, position) => isSegmentDefinite(segment, position === segments.length - 1));
}

export function isSegmentDefinite(segment: Segment, isLeaf: boolean): boolean {
  if (segment.kind === 'property') return segment.names.length === 1 || isLeaf;
  if (segment.kind === 'index') return segment.indexes.length === 1;
  return false;
}

/** Jayway's canonical rendering (`$['a'][0]`), which AWS quotes in its error causes. */
export function renderSegments(segments: readonly Segment[]): string {
  return `$${segments.map(renderSegment).join('')}`;
}

function renderSegment(segment: Segment): string {
  switch (segment.kind) {
    case 'property':
      return `[${segment.names.map((name) => `'${name}'`).join(',')}]`;
    case 'index':
      return `[${segment.indexes.join(',')}]`;
    case 'wildcard':
      return '[*]';
    case 'slice':
      return `[${segment.start ?? ''}:${segment.end ?? ''}]`;
    case 'filter':
      return '[?]';
    case 'deepScan':
      return `..${renderSegment(segment.target)}`;
  }
}
