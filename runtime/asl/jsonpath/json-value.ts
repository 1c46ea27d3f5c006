/** Plain JSON helpers shared by the path walker, filters, intrinsics and Choice rules. */

export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function deepEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) && Array.isArray(right)) {
    return left.length === right.length && left.every((item, position) => deepEqual(item, right[position]));
  }
  if (isJsonObject(left) && isJsonObject(right)) {
    const keys = Object.keys(left);
    return (
      keys.length === Object.keys(right).length &&
      keys.every((key) => Object.hasOwn(right, key) && deepEqual(left[key], right[key]))
    );
  }
  return false;
}

/** Compact JSON as AWS writes it into causes and payloads; `undefined` renders as `null`. */
export function toCompactJson(value: unknown): string {
  return JSON.stringify(value) ?? 'null';
}
