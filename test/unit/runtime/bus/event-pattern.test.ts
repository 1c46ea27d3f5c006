import { describe, expect, it } from 'vitest';
import { InvalidEventPatternError } from '../../../../runtime/bus/errors.js';
import { compilePattern, matchesPattern } from '../../../../runtime/bus/event-pattern.js';

interface Case {
  readonly name: string;
  readonly pattern: unknown;
  readonly event: Record<string, unknown>;
  readonly matches: boolean;
}

const envelope = (detail: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: '0',
  id: 'e-1',
  'detail-type': 'Commit Pushed',
  source: 'tollgate.git',
  account: '123456789012',
  time: '2026-01-01T00:00:00Z',
  region: 'us-east-1',
  resources: ['arn:aws:codecommit:us-east-1:123456789012:orders'],
  detail,
  ...extra,
});

const CASES: readonly Case[] = [
  // exact
  { name: 'exact string', pattern: { source: ['tollgate.git'] }, event: envelope({}), matches: true },
  {
    name: 'exact string is case-sensitive',
    pattern: { source: ['Tollgate.git'] },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'one of several values',
    pattern: { source: ['a', 'tollgate.git'] },
    event: envelope({}),
    matches: true,
  },
  {
    name: 'all fields must match',
    pattern: { source: ['tollgate.git'], 'detail-type': ['x'] },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'nested detail field',
    pattern: { detail: { branch: ['main'] } },
    event: envelope({ branch: 'main' }),
    matches: true,
  },
  {
    name: 'deeply nested field',
    pattern: { detail: { author: { name: ['Ana'] } } },
    event: envelope({ author: { name: 'Ana' } }),
    matches: true,
  },
  {
    name: 'missing field never matches a value',
    pattern: { detail: { branch: ['main'] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'number matches numerically',
    pattern: { detail: { n: [5] } },
    event: envelope({ n: 5.0 }),
    matches: true,
  },
  {
    name: 'number does not match its string',
    pattern: { detail: { n: [5] } },
    event: envelope({ n: '5' }),
    matches: false,
  },
  {
    name: 'string does not match the number',
    pattern: { detail: { n: ['5'] } },
    event: envelope({ n: 5 }),
    matches: false,
  },
  { name: 'true literal', pattern: { detail: { ok: [true] } }, event: envelope({ ok: true }), matches: true },
  {
    name: 'true literal is not the string',
    pattern: { detail: { ok: [true] } },
    event: envelope({ ok: 'true' }),
    matches: false,
  },
  {
    name: 'large number beyond the numeric domain by identity',
    pattern: { detail: { n: [1e15] } },
    event: envelope({ n: 1e15 }),
    matches: true,
  },
  {
    name: 'exactly operator',
    pattern: { source: [{ exactly: 'tollgate.git' }] },
    event: envelope({}),
    matches: true,
  },
  // null vs missing vs empty
  {
    name: 'null matches null',
    pattern: { detail: { r: [null] } },
    event: envelope({ r: null }),
    matches: true,
  },
  {
    name: 'null does not match a missing field',
    pattern: { detail: { r: [null] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'null does not match empty string',
    pattern: { detail: { r: [null] } },
    event: envelope({ r: '' }),
    matches: false,
  },
  {
    name: 'empty string does not match null',
    pattern: { detail: { r: [''] } },
    event: envelope({ r: null }),
    matches: false,
  },
  {
    name: 'empty string matches empty string',
    pattern: { detail: { r: [''] } },
    event: envelope({ r: '' }),
    matches: true,
  },
  // exists
  {
    name: 'exists true on a present field',
    pattern: { detail: { c: [{ exists: true }] } },
    event: envelope({ c: 1 }),
    matches: true,
  },
  {
    name: 'exists true on a null field',
    pattern: { detail: { c: [{ exists: true }] } },
    event: envelope({ c: null }),
    matches: true,
  },
  {
    name: 'exists true on a missing field',
    pattern: { detail: { c: [{ exists: true }] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'exists false on a missing field',
    pattern: { detail: { c: [{ exists: false }] } },
    event: envelope({}),
    matches: true,
  },
  {
    name: 'exists false on a present field',
    pattern: { detail: { c: [{ exists: false }] } },
    event: envelope({ c: 'x' }),
    matches: false,
  },
  {
    name: 'exists false on a null field',
    pattern: { detail: { c: [{ exists: false }] } },
    event: envelope({ c: null }),
    matches: false,
  },
  {
    name: 'exists false when the field is an object (not a leaf)',
    pattern: { detail: { c: [{ exists: false }] } },
    event: envelope({ c: { c1: 100 } }),
    matches: true,
  },
  {
    name: 'exists true when the field is an object (not a leaf)',
    pattern: { detail: { c: [{ exists: true }] } },
    event: envelope({ c: { c1: 100 } }),
    matches: false,
  },
  {
    name: 'exists false on an empty array',
    pattern: { detail: { c: [{ exists: false }] } },
    event: envelope({ c: [] }),
    matches: true,
  },
  {
    name: 'exists false when the parent object is missing',
    pattern: { detail: { a: { b: [{ exists: false }] } } },
    event: envelope({}),
    matches: true,
  },
  {
    name: 'exists false under a parent that is a string',
    pattern: { detail: { a: { b: [{ exists: false }] } } },
    event: envelope({ a: 'x' }),
    matches: true,
  },
  {
    name: 'exists or a value',
    pattern: { detail: { c: ['x', { exists: false }] } },
    event: envelope({ c: 'x' }),
    matches: true,
  },
  // prefix / suffix
  { name: 'prefix', pattern: { time: [{ prefix: '2026-01' }] }, event: envelope({}), matches: true },
  {
    name: 'prefix is case-sensitive',
    pattern: { source: [{ prefix: 'TOLL' }] },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'prefix never matches a number',
    pattern: { detail: { n: [{ prefix: '5' }] } },
    event: envelope({ n: 55 }),
    matches: false,
  },
  {
    name: 'empty prefix matches any string',
    pattern: { detail: { s: [{ prefix: '' }] } },
    event: envelope({ s: 'x' }),
    matches: true,
  },
  {
    name: 'prefix equals-ignore-case',
    pattern: { source: [{ prefix: { 'equals-ignore-case': 'TOLLGATE.' } }] },
    event: envelope({}),
    matches: true,
  },
  {
    name: 'suffix',
    pattern: { detail: { f: [{ suffix: '.png' }] } },
    event: envelope({ f: 'a.png' }),
    matches: true,
  },
  {
    name: 'suffix is case-sensitive',
    pattern: { detail: { f: [{ suffix: '.png' }] } },
    event: envelope({ f: 'a.PNG' }),
    matches: false,
  },
  {
    name: 'suffix equals-ignore-case',
    pattern: { detail: { f: [{ suffix: { 'equals-ignore-case': '.png' } }] } },
    event: envelope({ f: 'a.PNG' }),
    matches: true,
  },
  // equals-ignore-case
  {
    name: 'equals-ignore-case',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'commit pushed' }] },
    event: envelope({}),
    matches: true,
  },
  {
    name: 'equals-ignore-case needs the whole value',
    pattern: { 'detail-type': [{ 'equals-ignore-case': 'commit' }] },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'equals-ignore-case keeps lengths (ß is not SS)',
    pattern: { detail: { s: [{ 'equals-ignore-case': 'ß' }] } },
    event: envelope({ s: 'SS' }),
    matches: false,
  },
  {
    name: 'equals-ignore-case with non-ASCII letters',
    pattern: { detail: { s: [{ 'equals-ignore-case': 'ÉTÉ' }] } },
    event: envelope({ s: 'été' }),
    matches: true,
  },
  // anything-but
  {
    name: 'anything-but a string',
    pattern: { detail: { state: [{ 'anything-but': 'init' }] } },
    event: envelope({ state: 'running' }),
    matches: true,
  },
  {
    name: 'anything-but excludes the value',
    pattern: { detail: { state: [{ 'anything-but': 'init' }] } },
    event: envelope({ state: 'init' }),
    matches: false,
  },
  {
    name: 'anything-but needs the field',
    pattern: { detail: { state: [{ 'anything-but': 'init' }] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'anything-but matches null',
    pattern: { detail: { state: [{ 'anything-but': 'init' }] } },
    event: envelope({ state: null }),
    matches: true,
  },
  {
    name: 'anything-but list',
    pattern: { detail: { state: [{ 'anything-but': ['a', 'b'] }] } },
    event: envelope({ state: 'b' }),
    matches: false,
  },
  {
    name: 'anything-but number',
    pattern: { detail: { n: [{ 'anything-but': 100 }] } },
    event: envelope({ n: 100.0 }),
    matches: false,
  },
  {
    name: 'anything-but number still matches the string',
    pattern: { detail: { n: [{ 'anything-but': 100 }] } },
    event: envelope({ n: '100' }),
    matches: true,
  },
  {
    name: 'anything-but string still matches the number',
    pattern: { detail: { n: [{ 'anything-but': '100' }] } },
    event: envelope({ n: 100 }),
    matches: true,
  },
  {
    name: 'anything-but number list',
    pattern: { detail: { n: [{ 'anything-but': [1, 2, 3] }] } },
    event: envelope({ n: 4 }),
    matches: true,
  },
  {
    name: 'anything-but prefix',
    pattern: { region: [{ 'anything-but': { prefix: 'us-' } }] },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'anything-but prefix passes others',
    pattern: { detail: { r: [{ 'anything-but': { prefix: 'us-' } }] } },
    event: envelope({ r: 'eu-west-1' }),
    matches: true,
  },
  {
    name: 'anything-but prefix list',
    pattern: { detail: { r: [{ 'anything-but': { prefix: ['us-', 'eu-'] } }] } },
    event: envelope({ r: 'eu-west-1' }),
    matches: false,
  },
  {
    name: 'anything-but suffix',
    pattern: { detail: { f: [{ 'anything-but': { suffix: '.png' } }] } },
    event: envelope({ f: 'a.jpg' }),
    matches: true,
  },
  {
    name: 'anything-but suffix excludes',
    pattern: { detail: { f: [{ 'anything-but': { suffix: '.png' } }] } },
    event: envelope({ f: 'a.png' }),
    matches: false,
  },
  {
    name: 'anything-but equals-ignore-case',
    pattern: { detail: { s: [{ 'anything-but': { 'equals-ignore-case': 'INIT' } }] } },
    event: envelope({ s: 'init' }),
    matches: false,
  },
  {
    name: 'anything-but wildcard',
    pattern: { detail: { p: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: envelope({ p: '/usr/lib/x' }),
    matches: false,
  },
  {
    name: 'anything-but wildcard passes others',
    pattern: { detail: { p: [{ 'anything-but': { wildcard: '*/lib/*' } }] } },
    event: envelope({ p: '/usr/bin/x' }),
    matches: true,
  },
  {
    name: 'anything-but prefix passes a number',
    pattern: { detail: { p: [{ 'anything-but': { prefix: '1' } }] } },
    event: envelope({ p: 12 }),
    matches: true,
  },
  // numeric
  {
    name: 'numeric range inside',
    pattern: { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } },
    event: envelope({ c: 5 }),
    matches: true,
  },
  {
    name: 'numeric range open bottom excludes it',
    pattern: { detail: { c: [{ numeric: ['>', 0, '<=', 5] }] } },
    event: envelope({ c: 0 }),
    matches: false,
  },
  {
    name: 'numeric range open top excludes it',
    pattern: { detail: { c: [{ numeric: ['>=', 0, '<', 5] }] } },
    event: envelope({ c: 5 }),
    matches: false,
  },
  {
    name: 'numeric less than',
    pattern: { detail: { c: [{ numeric: ['<', 10] }] } },
    event: envelope({ c: -3.5 }),
    matches: true,
  },
  {
    name: 'numeric equals in exponent form',
    pattern: { detail: { x: [{ numeric: ['=', 3.018e2] }] } },
    event: envelope({ x: 301.8 }),
    matches: true,
  },
  {
    name: 'numeric never matches a numeric string',
    pattern: { detail: { c: [{ numeric: ['>', 0] }] } },
    event: envelope({ c: '3' }),
    matches: false,
  },
  {
    name: 'numeric ignores numbers with more than 6 decimals',
    pattern: { detail: { c: [{ numeric: ['>', 0] }] } },
    event: envelope({ c: 0.0000001 }),
    matches: false,
  },
  {
    name: 'numeric ignores numbers beyond 5e11',
    pattern: { detail: { c: [{ numeric: ['>', 0] }] } },
    event: envelope({ c: 6e11 }),
    matches: false,
  },
  {
    name: 'numeric at 6 decimals',
    pattern: { detail: { c: [{ numeric: ['>', 0.000001, '<', 0.000003] }] } },
    event: envelope({ c: 0.000002 }),
    matches: true,
  },
  // wildcard
  { name: 'wildcard', pattern: { source: [{ wildcard: 'toll*.git' }] }, event: envelope({}), matches: true },
  {
    name: 'wildcard star matches empty',
    pattern: { detail: { s: [{ wildcard: 'a*b' }] } },
    event: envelope({ s: 'ab' }),
    matches: true,
  },
  {
    name: 'wildcard is anchored',
    pattern: { detail: { s: [{ wildcard: 'a*b' }] } },
    event: envelope({ s: 'xaby' }),
    matches: false,
  },
  {
    name: 'wildcard escaped star is literal',
    pattern: { detail: { s: [{ wildcard: 'a\\*b' }] } },
    event: envelope({ s: 'a*b' }),
    matches: true,
  },
  {
    name: 'wildcard escaped star does not glob',
    pattern: { detail: { s: [{ wildcard: 'a\\*b' }] } },
    event: envelope({ s: 'axb' }),
    matches: false,
  },
  {
    name: 'wildcard escaped backslash',
    pattern: { detail: { s: [{ wildcard: 'a\\\\*' }] } },
    event: envelope({ s: 'a\\zz' }),
    matches: true,
  },
  {
    name: 'wildcard regex characters are literal',
    pattern: { detail: { s: [{ wildcard: 'v1.(0)*' }] } },
    event: envelope({ s: 'v1x(0)' }),
    matches: false,
  },
  {
    name: 'wildcard crosses newlines',
    pattern: { detail: { s: [{ wildcard: 'a*' }] } },
    event: envelope({ s: 'a\nb' }),
    matches: true,
  },
  {
    name: 'wildcard never matches a number',
    pattern: { detail: { s: [{ wildcard: '*' }] } },
    event: envelope({ s: 1 }),
    matches: false,
  },
  // cidr
  {
    name: 'cidr v4',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/24' }] } },
    event: envelope({ ip: '10.0.0.33' }),
    matches: true,
  },
  {
    name: 'cidr v4 outside',
    pattern: { detail: { ip: [{ cidr: '10.0.0.0/24' }] } },
    event: envelope({ ip: '10.0.1.1' }),
    matches: false,
  },
  {
    name: 'cidr v6',
    pattern: { detail: { ip: [{ cidr: '2001:db8::/32' }] } },
    event: envelope({ ip: '2001:db8::1' }),
    matches: true,
  },
  // arrays in events
  {
    name: 'event array matches if any element matches',
    pattern: { resources: ['arn:aws:codecommit:us-east-1:123456789012:orders'] },
    event: envelope({}),
    matches: true,
  },
  {
    name: 'event array of scalars',
    pattern: { detail: { tags: ['b'] } },
    event: envelope({ tags: ['a', 'b'] }),
    matches: true,
  },
  {
    name: 'nested arrays flatten',
    pattern: { detail: { tags: ['c'] } },
    event: envelope({ tags: ['a', ['b', ['c']]] }),
    matches: true,
  },
  {
    name: 'anything-but over an array passes if one element passes',
    pattern: { detail: { tags: [{ 'anything-but': 'a' }] } },
    event: envelope({ tags: ['a', 'b'] }),
    matches: true,
  },
  {
    name: 'anything-but over an array of only excluded values',
    pattern: { detail: { tags: [{ 'anything-but': 'a' }] } },
    event: envelope({ tags: ['a', 'a'] }),
    matches: false,
  },
  {
    name: 'array of objects: field of one element',
    pattern: { detail: { e: { first: ['Anna'] } } },
    event: envelope({ e: [{ first: 'John' }, { first: 'Anna' }] }),
    matches: true,
  },
  {
    name: 'array consistency: fields from different elements do not combine',
    pattern: { detail: { e: { first: ['Anna'], last: ['Jones'] } } },
    event: envelope({
      e: [
        { first: 'Anna', last: 'Smith' },
        { first: 'Peter', last: 'Jones' },
      ],
    }),
    matches: false,
  },
  {
    name: 'array consistency: fields of the same element combine',
    pattern: { detail: { e: { first: ['Anna'], last: ['Smith'] } } },
    event: envelope({
      e: [
        { first: 'Anna', last: 'Smith' },
        { first: 'Peter', last: 'Jones' },
      ],
    }),
    matches: true,
  },
  {
    name: 'multi-level arrays of objects',
    pattern: { detail: { e: { first: ['Peter'] } } },
    event: envelope({ e: [[{ first: 'John' }], [{ first: 'Peter' }]] }),
    matches: true,
  },
  {
    name: 'a leaf pattern does not match an object value',
    pattern: { detail: { a: ['x'] } },
    event: envelope({ a: { b: 'x' } }),
    matches: false,
  },
  {
    name: 'an object pattern does not match a scalar value',
    pattern: { detail: { a: { b: ['x'] } } },
    event: envelope({ a: 'x' }),
    matches: false,
  },
  {
    name: 'empty event array matches no value',
    pattern: { resources: [{ prefix: '' }] },
    event: envelope({}, { resources: [] }),
    matches: false,
  },
  // $or
  {
    name: '$or first branch',
    pattern: { source: ['tollgate.git'], $or: [{ detail: { a: ['1'] } }, { detail: { b: ['2'] } }] },
    event: envelope({ a: '1' }),
    matches: true,
  },
  {
    name: '$or second branch',
    pattern: { $or: [{ detail: { a: ['1'] } }, { detail: { b: ['2'] } }] },
    event: envelope({ b: '2' }),
    matches: true,
  },
  {
    name: '$or no branch',
    pattern: { $or: [{ detail: { a: ['1'] } }, { detail: { b: ['2'] } }] },
    event: envelope({ a: '2' }),
    matches: false,
  },
  {
    name: '$or still needs the other fields',
    pattern: { source: ['nope'], $or: [{ detail: { a: ['1'] } }, { detail: { b: ['2'] } }] },
    event: envelope({ a: '1' }),
    matches: false,
  },
  {
    name: '$or nested in detail',
    pattern: { detail: { $or: [{ c: [{ numeric: ['>', 0] }] }, { d: [{ exists: true }] }] } },
    event: envelope({ d: 'x' }),
    matches: true,
  },
  {
    name: '$or with an and inside',
    pattern: { $or: [{ detail: { a: ['1'], b: ['2'] } }, { source: ['x'] }] },
    event: envelope({ a: '1', b: '3' }),
    matches: false,
  },
  {
    name: 'nested $or',
    pattern: {
      $or: [
        { source: ['x'] },
        { detail: { t: ['y'] }, $or: [{ detail: { m: [1] } }, { detail: { s: [2] } }] },
      ],
    },
    event: envelope({ t: 'y', s: 2 }),
    matches: true,
  },
  // prototype keys
  {
    name: 'an event without "constructor" has no such field',
    pattern: { detail: { constructor: [{ exists: true }] } },
    event: envelope({}),
    matches: false,
  },
  {
    name: 'a "constructor" field in the event is matched',
    pattern: { detail: { constructor: ['c'] } },
    event: envelope({ constructor: 'c' }),
    matches: true,
  },
];

describe('matchesPattern', () => {
  it.each(CASES)('returns $matches when $name', ({ pattern, event, matches }) => {
    // Arrange
    const compiled = compilePattern(pattern);
    // Act
    const result = compiled.matches(event);
    // Assert
    expect(result).toBe(matches);
  });

  it('returns the same answer when the pattern is given as JSON text', () => {
    // Arrange
    const pattern = JSON.stringify({ detail: { branch: [{ prefix: 'rel' }] } });
    // Act
    const yes = matchesPattern(pattern, envelope({ branch: 'release/1' }));
    const no = matchesPattern(pattern, envelope({ branch: 'main' }));
    // Assert
    expect([yes, no]).toEqual([true, false]);
  });

  it('throws InvalidEventPatternError when the pattern is invalid', () => {
    // Arrange
    const pattern = { detail: { branch: 'main' } };
    // Act
    const act = () => matchesPattern(pattern, envelope({ branch: 'main' }));
    // Assert
    expect(act).toThrow(InvalidEventPatternError);
    expect(act).toThrow(
      'Event pattern is not valid. Reason: "branch" must be an object or an array at detail.branch',
    );
  });

  it('throws a clear error when the event is not an object', () => {
    // Arrange
    const compiled = compilePattern({ source: ['x'] });
    // Act
    const act = () => compiled.matches(['x']);
    // Assert
    expect(act).toThrow('event must be a JSON object');
  });
});
