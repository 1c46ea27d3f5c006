import * as z from 'zod';

/** Durations in config are strings like `90s`, `15m`, `24h`, `7d` so nobody guesses the unit. */
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400 } as const;
const DURATION = /^(\d+)(s|m|h|d)$/;

export function parseDuration(text: string): number | undefined {
  const match = DURATION.exec(text);
  if (!match) return undefined;
  const seconds = Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  return seconds > 0 && Number.isSafeInteger(seconds) ? seconds : undefined;
}

/** A config duration field: the string as users write it, read as seconds. */
export const durationSetting = (what: string) =>
  z
    .string()
    .refine((v) => parseDuration(v) !== undefined, {
      message: `${what} must be a positive duration like "30s", "15m" or "1h"`,
    })
    .transform((v) => parseDuration(v)!);
