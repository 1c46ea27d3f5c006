import * as z from 'zod';

/** Sizes in config are strings like `500MB`, `20GB`, `1.5TB` (powers of 1024), so nobody guesses the unit. */
const UNIT_BYTES = { KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4 } as const;
const SIZE = /^(\d+(?:\.\d+)?)(KB|MB|GB|TB)$/;

function parseSize(text: string): number | undefined {
  const match = SIZE.exec(text);
  if (!match) return undefined;
  const bytes = Math.floor(Number(match[1]) * UNIT_BYTES[match[2] as keyof typeof UNIT_BYTES]);
  return bytes > 0 && Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** 1234567890 → "1.1 GB": for messages a person reads. */
export function formatSize(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** A config size field: the string as written, the number of bytes once parsed. */
export const size = (what: string) =>
  z
    .string()
    .refine((v) => parseSize(v) !== undefined, {
      message: `${what} must be a size like "500MB", "20GB" or "1.5TB"`,
    })
    .transform((v) => parseSize(v)!);
