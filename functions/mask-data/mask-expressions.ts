import type { MaskingRuleConfig } from '../shared/config/schema.js';

export type MaskRule = MaskingRuleConfig['rule'];

/**
 * SQL expressions that mask one column. Plain SQL only (md5, sha256, arrays, CASE) so the same
 * statement runs on PGlite, RDS and Aurora without extensions. `$1` is the per-run salt: equal
 * inputs map to equal outputs within a run, and a different run gives different outputs.
 *
 * The pseudonym lists are constants in code, never config, so they are safe to inline.
 */
const PSEUDO_FIRST = [
  'Avery',
  'Blake',
  'Casey',
  'Dana',
  'Emery',
  'Finley',
  'Gray',
  'Harper',
  'Indigo',
  'Jules',
  'Kai',
  'Logan',
  'Morgan',
  'Noel',
  'Oakley',
  'Parker',
  'Quinn',
  'Reese',
  'Sage',
  'Tatum',
  'Umber',
  'Vale',
  'Wren',
  'Xen',
  'Yael',
  'Zephyr',
];
const PSEUDO_LAST = [
  'Ashdown',
  'Birchley',
  'Coldwater',
  'Dunmore',
  'Elderfield',
  'Fernhill',
  'Greystone',
  'Hollowell',
  'Ironwood',
  'Juniper',
  'Kestrel',
  'Larkspur',
  'Marlow',
  'Northgate',
  'Oakridge',
  'Pennywhistle',
  'Quarry',
  'Redfern',
  'Stonebridge',
  'Thornbury',
  'Underhill',
  'Vantage',
  'Westbrook',
  'Yarrow',
];

const sqlArray = (items: readonly string[]) => `(ARRAY[${items.map((s) => `'${s}'`).join(',')}]::text[])`;

/** A non-negative 28-bit integer from hex digits `from..from+6` of a hash expression. */
const hashInt = (hash: string, from: number) => `(('x' || substr(${hash}, ${from}, 7))::bit(28)::int)`;

/** Rules whose expression reads the salt (`$1`); Postgres rejects a parameter no statement uses. */
export const USES_SALT: ReadonlySet<MaskRule> = new Set(['email', 'name', 'phone', 'hash']);

/** Longest value each rule can produce, checked against varchar(n) columns before any UPDATE. */
export const MAX_MASKED_LENGTH: Record<MaskRule, number> = {
  email: 'user_'.length + 16 + '@example.invalid'.length,
  name: Math.max(...PSEUDO_FIRST.map((f) => f.length)) + 1 + Math.max(...PSEUDO_LAST.map((l) => l.length)),
  phone: '+1-555-0100'.length,
  text: '[redacted xs]'.length,
  null: 0,
  hash: 'h_'.length + 32,
};

/**
 * Wraps a pseudonym so it never equals the original: when the first choice happens to match, the
 * second choice (which always differs from the first) is used. verify-masking relies on this.
 */
const neverEqual = (col: string, first: string, second: string) =>
  `CASE WHEN ${col} IS NULL THEN NULL WHEN ${first} = ${col}::text THEN ${second} ELSE ${first} END`;

/** `col` is an already quoted identifier. */
export function maskExpression(rule: MaskRule, col: string): string {
  const value = `${col}::text`;
  switch (rule) {
    case 'email': {
      // Hashing lower(email) keeps addresses that collide case-insensitively colliding after
      // masking, so a UNIQUE(lower(email)) migration fails on masked data exactly as on prod.
      const hash = `md5($1::text || lower(${value}))`;
      return `CASE WHEN ${col} IS NULL THEN NULL ELSE 'user_' || left(${hash}, 16) || '@example.invalid' END`;
    }
    case 'name': {
      const hash = `md5($1::text || ${value})`;
      const first = hashInt(hash, 1);
      const last = `${sqlArray(PSEUDO_LAST)}[1 + ${hashInt(hash, 8)} % ${PSEUDO_LAST.length}]`;
      const pick = (shift: number) =>
        `${sqlArray(PSEUDO_FIRST)}[1 + (${first} + ${shift}) % ${PSEUDO_FIRST.length}] || ' ' || ${last}`;
      return neverEqual(col, pick(0), pick(1));
    }
    case 'phone': {
      // 555-0100..0199 is reserved for fiction in the North American plan: never a real subscriber.
      const n = hashInt(`md5($1::text || ${value})`, 1);
      const phone = (shift: number) => `'+1-555-01' || lpad(((${n} + ${shift}) % 100)::text, 2, '0')`;
      return neverEqual(col, phone(0), phone(1));
    }
    case 'text': {
      const length = `char_length(${value})`;
      const redacted = `'[redacted ' || CASE WHEN ${length} <= 16 THEN 'xs' WHEN ${length} <= 64 THEN 's' WHEN ${length} <= 256 THEN 'm' ELSE 'l' END || ']'`;
      return neverEqual(col, redacted, `'[redacted]'`);
    }
    case 'null':
      return 'NULL';
    case 'hash':
      // sha256 of salt||value: equal values stay equal (joins and uniqueness survive), 128 bits kept.
      return `CASE WHEN ${col} IS NULL THEN NULL ELSE 'h_' || left(encode(sha256(convert_to($1::text || ${value}, 'UTF8')), 'hex'), 32) END`;
  }
}
