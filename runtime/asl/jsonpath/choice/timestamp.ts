/**
 * Timestamps as Choice rules read them: RFC 3339 with an uppercase `T` between date and time and
 * either an uppercase `Z` or a numeric offset (the ASL spec's restriction). Anything else is not a
 * timestamp, so comparisons with it are false and IsTimestamp is false.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** An instant as [epoch seconds, nanoseconds], so sub-millisecond digits still compare. */
export type Instant = readonly [number, number];

export function parseTimestamp(value: unknown): Instant | undefined {
  if (typeof value !== 'string') return undefined;
  const match = RFC3339.exec(value);
  if (!match) return undefined;
  const [, year, month, day, hour, minute, second, fraction, zone, sign, offsetHours, offsetMinutes] = match;
  const numbers = [year, month, day, hour, minute, second].map(Number);
  const [y, mo, d, h, mi, s] = numbers;
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  let offset = 0;
  if (zone !== 'Z') {
    const oh = Number(offsetHours);
    const om = Number(offsetMinutes);
    if (oh > 23 || om > 59) return undefined;
    offset = (sign === '-' ? -1 : 1) * (oh * 3600 + om * 60);
  }
  const seconds = Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offset;
  const nanos = fraction ? Number(fraction.padEnd(9, '0')) : 0;
  return [seconds, nanos];
}

export function compareInstants(left: Instant, right: Instant): number {
  return left[0] !== right[0] ? Math.sign(left[0] - right[0]) : Math.sign(left[1] - right[1]);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}
