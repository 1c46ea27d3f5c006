/** Parsed intrinsic function expressions. */
export type IntrinsicNode =
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly IntrinsicNode[] }
  | { readonly kind: 'string'; readonly value: string; readonly raw: string }
  | { readonly kind: 'literal'; readonly value: number | boolean | null }
  | { readonly kind: 'path'; readonly path: string };
