import { describe, expect, it } from 'vitest';
import { validatePattern } from '../../../../runtime/bus/event-pattern.js';

const P = 'Event pattern is not valid. Reason: ';

const INVALID: readonly { name: string; pattern: unknown; message: string }[] = [
  { name: 'the pattern is an array', pattern: [], message: `${P}Filter is not an object` },
  { name: 'the pattern is null', pattern: null, message: `${P}Filter is not an object` },
  {
    name: 'the pattern text is not JSON',
    pattern: '{"source": [',
    message: `${P}Pattern is not valid JSON:`,
  },
  { name: 'the pattern is empty', pattern: {}, message: `${P}Empty objects are not allowed` },
  {
    name: 'a nested object is empty',
    pattern: { detail: {} },
    message: `${P}Empty objects are not allowed at detail`,
  },
  {
    name: 'a leaf is a bare string',
    pattern: { source: 'x' },
    message: `${P}"source" must be an object or an array at source`,
  },
  {
    name: 'a leaf list is empty',
    pattern: { source: [] },
    message: `${P}Empty arrays are not allowed at source`,
  },
  {
    name: 'a leaf list holds an array',
    pattern: { source: [['x']] },
    message: `${P}Match value must be String, number, true, false, or null at source[0]`,
  },
  {
    name: 'a leaf list holds a non-finite number',
    pattern: { n: [Number.NaN] },
    message: `${P}Match value must be String, number, true, false, or null at n[0]`,
  },
  {
    name: 'an operator object is empty',
    pattern: { source: [{}] },
    message: `${P}Match expression name not found at source[0]`,
  },
  {
    name: 'an operator object has two keys',
    pattern: { source: [{ prefix: 'a', suffix: 'b' }] },
    message: `${P}Only one key allowed in match expression at source[0]`,
  },
  {
    name: 'the operator is unknown',
    pattern: { source: [{ regex: 'a.*' }] },
    message: `${P}Unrecognized match type regex at source[0].regex`,
  },
  {
    name: 'prefix is a number',
    pattern: { source: [{ prefix: 1 }] },
    message: `${P}prefix match pattern must be a string`,
  },
  {
    name: 'prefix object has another operator',
    pattern: { source: [{ prefix: { wildcard: 'a' } }] },
    message: `${P}Unsupported prefix pattern: wildcard`,
  },
  {
    name: 'prefix ignore-case is not a string',
    pattern: { source: [{ prefix: { 'equals-ignore-case': 1 } }] },
    message: `${P}equals-ignore-case match pattern must be a string`,
  },
  {
    name: 'suffix is null',
    pattern: { source: [{ suffix: null }] },
    message: `${P}suffix match pattern must be a string`,
  },
  {
    name: 'suffix object is empty',
    pattern: { source: [{ suffix: {} }] },
    message: `${P}Suffix expression name not found`,
  },
  {
    name: 'equals-ignore-case is a list',
    pattern: { source: [{ 'equals-ignore-case': ['a'] }] },
    message: `${P}equals-ignore-case match pattern must be a string`,
  },
  {
    name: 'exactly is a number',
    pattern: { source: [{ exactly: 1 }] },
    message: `${P}exact match pattern must be a string`,
  },
  {
    name: 'exists is a string',
    pattern: { source: [{ exists: 'true' }] },
    message: `${P}exists match pattern must be either true or false.`,
  },
  {
    name: 'wildcard has consecutive stars',
    pattern: { source: [{ wildcard: 'a**b' }] },
    message: `${P}Consecutive wildcard characters at pos 2`,
  },
  {
    name: 'wildcard escapes another character',
    pattern: { source: [{ wildcard: 'a\\b' }] },
    message: `${P}Invalid escape character at pos 2`,
  },
  {
    name: 'wildcard ends with a backslash',
    pattern: { source: [{ wildcard: 'ab\\' }] },
    message: `${P}Invalid escape character at pos 3`,
  },
  {
    name: 'wildcard is not a string',
    pattern: { source: [{ wildcard: 5 }] },
    message: `${P}wildcard match pattern must be a string`,
  },
  {
    name: 'numeric is not an array',
    pattern: { n: [{ numeric: '>5' }] },
    message: `${P}Value of numeric must be an array.`,
  },
  {
    name: 'numeric is empty',
    pattern: { n: [{ numeric: [] }] },
    message: `${P}Invalid member in numeric match: (nothing)`,
  },
  {
    name: 'numeric starts with a number',
    pattern: { n: [{ numeric: [5, '<'] }] },
    message: `${P}Invalid member in numeric match: 5`,
  },
  {
    name: 'numeric operator is unknown',
    pattern: { n: [{ numeric: ['!=', 5] }] },
    message: `${P}Unrecognized numeric range operator: !=`,
  },
  {
    name: 'numeric value is a string',
    pattern: { n: [{ numeric: ['>', '5'] }] },
    message: `${P}Value of > must be numeric`,
  },
  {
    name: 'numeric value is missing',
    pattern: { n: [{ numeric: ['<='] }] },
    message: `${P}Value of <= must be numeric`,
  },
  {
    name: 'numeric = has a trailing term',
    pattern: { n: [{ numeric: ['=', 5, '<', 6] }] },
    message: `${P}Too many elements in numeric expression`,
  },
  {
    name: 'numeric upper bound comes first',
    pattern: { n: [{ numeric: ['<', 5, '>', 1] }] },
    message: `${P}Too many elements in numeric expression`,
  },
  {
    name: 'numeric range has a lower second operator',
    pattern: { n: [{ numeric: ['>', 1, '>', 5] }] },
    message: `${P}Bad numeric range operator: >`,
  },
  {
    name: 'numeric range second operator is a number',
    pattern: { n: [{ numeric: ['>', 1, 5] }] },
    message: `${P}Bad value in numeric range: 5`,
  },
  {
    name: 'numeric range top is missing',
    pattern: { n: [{ numeric: ['>', 1, '<'] }] },
    message: `${P}Value of < must be numeric`,
  },
  {
    name: 'numeric range has five terms',
    pattern: { n: [{ numeric: ['>', 1, '<', 5, 6] }] },
    message: `${P}Too many terms in numeric range expression`,
  },
  {
    name: 'numeric range is inverted',
    pattern: { n: [{ numeric: ['>', 5, '<', 1] }] },
    message: `${P}Bottom must be less than top`,
  },
  {
    name: 'numeric range is empty',
    pattern: { n: [{ numeric: ['>=', 5, '<=', 5] }] },
    message: `${P}Bottom must be less than top`,
  },
  {
    name: 'numeric is beyond 5e11',
    pattern: { n: [{ numeric: ['>', 6e11] }] },
    message: `${P}Value must be between -5.0E11 and 5.0E11, inclusive`,
  },
  {
    name: 'numeric has 7 decimals',
    pattern: { n: [{ numeric: ['>', 0.0000001] }] },
    message: `${P}Only values upto 6 decimals are supported`,
  },
  {
    name: 'anything-but is null',
    pattern: { s: [{ 'anything-but': null }] },
    message: `${P}Value of anything-but must be an array or single string/number value.`,
  },
  {
    name: 'anything-but is a boolean',
    pattern: { s: [{ 'anything-but': true }] },
    message: `${P}Value of anything-but must be an array or single string/number value.`,
  },
  {
    name: 'anything-but list mixes types',
    pattern: { s: [{ 'anything-but': ['a', 1] }] },
    message: `${P}Inside anything but list, either all values are number or string, mixed type is not supported`,
  },
  {
    name: 'anything-but list holds null',
    pattern: { s: [{ 'anything-but': ['a', null] }] },
    message: `${P}Inside anything but list, start|null|boolean is not supported.`,
  },
  {
    name: 'anything-but list is empty',
    pattern: { s: [{ 'anything-but': [] }] },
    message: `${P}Empty arrays are not allowed`,
  },
  {
    name: 'anything-but number has 7 decimals',
    pattern: { s: [{ 'anything-but': 0.1234567 }] },
    message: `${P}Only values upto 6 decimals are supported`,
  },
  {
    name: 'anything-but object is empty',
    pattern: { s: [{ 'anything-but': {} }] },
    message: `${P}Anything-But expression name not found`,
  },
  {
    name: 'anything-but numeric is unsupported',
    pattern: { s: [{ 'anything-but': { numeric: ['>', 1] } }] },
    message: `${P}Unsupported anything-but pattern: numeric`,
  },
  {
    name: 'anything-but toString is unsupported',
    pattern: { s: [{ 'anything-but': { toString: 'x' } }] },
    message: `${P}Unsupported anything-but pattern: toString`,
  },
  {
    name: 'anything-but prefix is empty',
    pattern: { s: [{ 'anything-but': { prefix: '' } }] },
    message: `${P}Null prefix/suffix not allowed`,
  },
  {
    name: 'anything-but suffix is a number',
    pattern: { s: [{ 'anything-but': { suffix: 1 } }] },
    message: `${P}prefix/suffix match pattern must be a string`,
  },
  {
    name: 'anything-but ignore-case holds a number',
    pattern: { s: [{ 'anything-but': { 'equals-ignore-case': ['a', 1] } }] },
    message: `${P}Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.`,
  },
  {
    name: 'anything-but wildcard is invalid',
    pattern: { s: [{ 'anything-but': { wildcard: '**' } }] },
    message: `${P}Consecutive wildcard characters at pos 1`,
  },
  {
    name: 'anything-but object has two keys',
    pattern: { s: [{ 'anything-but': { prefix: 'a', suffix: 'b' } }] },
    message: `${P}Only one key allowed in match expression`,
  },
  {
    name: 'cidr has no mask',
    pattern: { ip: [{ cidr: '10.0.0.0' }] },
    message: `${P}Malformed CIDR, one '/' required`,
  },
  {
    name: 'cidr mask is too wide',
    pattern: { ip: [{ cidr: '10.0.0.0/33' }] },
    message: `${P}Malformed CIDR, mask bits must be an integer from 0 to 32`,
  },
  {
    name: 'cidr address is not an IP',
    pattern: { ip: [{ cidr: 'host/8' }] },
    message: `${P}Invalid IP address in CIDR`,
  },
  {
    name: '$or is an object',
    pattern: { $or: { a: ['1'] } },
    message: `${P}It must be an Array followed with $or. at $or`,
  },
  {
    name: '$or has one branch',
    pattern: { $or: [{ a: ['1'] }] },
    message: `${P}There must have at least 2 Objects in $or relationship.`,
  },
  {
    name: '$or holds a non-object',
    pattern: { $or: [{ a: ['1'] }, ['b']] },
    message: `${P}Only JSON object is allowed in array of $or relationship. at $or[1]`,
  },
  {
    name: '$or branch uses a reserved name',
    pattern: { $or: [{ prefix: ['1'] }, { b: ['2'] }] },
    message: `${P}prefix is Ruler reserved fieldName which cannot be used inside $or.`,
  },
  {
    name: '$or branch repeats an outer path',
    pattern: { source: ['a'], $or: [{ source: ['b'] }, { region: ['c'] }] },
    message: `${P}Path \`source\` cannot be allowed multiple times`,
  },
  {
    name: 'dotted key collides with a nested one',
    pattern: { 'a.b': ['1'], a: { b: ['2'] } },
    message: `${P}Path \`a.b\` cannot be allowed multiple times`,
  },
  {
    name: '$or combinations explode',
    pattern: Object.fromEntries(
      Array.from({ length: 11 }, (_, i) => [`k${i}`, { $or: [{ a: ['1'] }, { b: ['2'] }] }]),
    ),
    message: `${P}Event pattern is too complex`,
  },
];

const VALID: readonly { name: string; pattern: unknown }[] = [
  {
    name: 'the commit pattern',
    pattern: {
      source: ['tollgate.git'],
      'detail-type': ['Commit Pushed'],
      detail: { repository: ['orders'], branch: ['main'] },
    },
  },
  {
    name: 'every operator at once',
    pattern: {
      a: [
        'x',
        1,
        true,
        null,
        { prefix: 'p' },
        { suffix: 's' },
        { 'equals-ignore-case': 'E' },
        { wildcard: 'w*' },
        { numeric: ['>=', -5e11, '<', 5e11] },
        { exists: true },
        { 'anything-but': [1, 2] },
        { cidr: '::1/128' },
      ],
    },
  },
  { name: '$or with 2 branches', pattern: { $or: [{ a: ['1'] }, { b: ['2'] }] } },
  { name: 'JSON text', pattern: '{"source":["x"]}' },
  { name: 'a 10-way $or', pattern: { $or: Array.from({ length: 10 }, (_, i) => ({ [`k${i}`]: ['v'] })) } },
];

describe('validatePattern', () => {
  it.each(INVALID)('returns the EventBridge reason when $name', ({ pattern, message }) => {
    // Arrange
    const input = pattern;
    // Act
    const result = validatePattern(input);
    // Assert
    expect(result).toBeDefined();
    expect(result?.startsWith(message)).toBe(true);
    expect(result).not.toContain('\n');
  });

  it.each(VALID)('returns undefined when $name', ({ pattern }) => {
    // Arrange
    const input = pattern;
    // Act
    const result = validatePattern(input);
    // Assert
    expect(result).toBeUndefined();
  });
});
