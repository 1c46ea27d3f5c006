/** AWS's payload quota: 256 KiB of UTF-8 for any state input/output or task result. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/** AWS writes every payload after the execution input as compact JSON. */
export function toPayloadText(value: unknown): string {
  return JSON.stringify(value === undefined ? null : value);
}

export function payloadBytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * Whether a payload text is over the quota. A UTF-16 code unit is at most 3 bytes of UTF-8, so
 * most texts are settled by their length without counting bytes.
 */
export function exceedsPayloadQuota(text: string): boolean {
  if (text.length * 3 <= MAX_PAYLOAD_BYTES) return false;
  return payloadBytes(text) > MAX_PAYLOAD_BYTES;
}

// Shared by every event (two fewer objects per state for the collector); frozen, so no reader
// can change another event's copy.
export const NOT_TRUNCATED: { readonly truncated: boolean } = Object.freeze({ truncated: false });

/** `{input, inputDetails}` as AWS puts it in StateEntered and the like. */
export function inputDetails(text: string): { input: string; inputDetails: { readonly truncated: boolean } } {
  return { input: text, inputDetails: NOT_TRUNCATED };
}

export function outputDetails(text: string): {
  output: string;
  outputDetails: { readonly truncated: boolean };
} {
  return { output: text, outputDetails: NOT_TRUNCATED };
}
