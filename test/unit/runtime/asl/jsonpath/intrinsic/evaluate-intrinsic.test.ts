import { describe, expect, it } from 'vitest';
import {
  evaluateIntrinsic,
  type JsonPathScope,
  MAX_NESTING_DEPTH,
  type RandomSource,
} from '../../../../../../runtime/asl/jsonpath/index.js';

const scope: JsonPathScope = {
  input: {
    list: [1, 2, 3, 4, 5, 6],
    dupes: [1, 2, 2, 3, 3, 4],
    text: 'Hello World',
    template: 'Hello, my name is {}.',
    json: '{"key":"value"}',
    obj: { test: 'object' },
  },
  context: { StateMachine: { Id: 'arn:sm', Name: 'pipeline-main-v2' }, Execution: { Input: { a: 1 } } },
  variables: { limit: 2 },
};

/** A scripted random source so MathRandom and UUID are deterministic. */
function scripted(ints: number[], byte = 0xab): RandomSource {
  return { nextInt: (min) => min + (ints.shift() ?? 0), bytes: (count) => new Uint8Array(count).fill(byte) };
}

const run = (expression: string, random?: RandomSource) => evaluateIntrinsic(expression, scope, { random });

function failure(expression: string): { name: string; message: string } {
  try {
    run(expression);
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error(`expected ${expression} to fail`);
}

describe('evaluateIntrinsic', () => {
  describe('States.Format', () => {
    it('returns the template with each {} replaced in order', () => {
      // Arrange / Act / Assert
      expect(run("States.Format('Hello {}, you have {} items', $.text, $limit)")).toBe(
        'Hello Hello World, you have 2 items',
      );
    });

    it('returns objects and arrays printed as Java does when they are arguments', () => {
      // Arrange / Act / Assert (recorded: context_json_path)
      expect(run("States.Format('{} and {}', $$.StateMachine, $.list)")).toBe(
        '{Id=arn:sm, Name=pipeline-main-v2} and [1, 2, 3, 4, 5, 6]',
      );
    });

    it('keeps escaped braces literal in a literal template', () => {
      // Arrange / Act / Assert
      expect(run("States.Format('\\{\\} {} it\\'s \\\\', 'x')")).toBe("{} x it's \\");
    });

    it('uses a template read from a path', () => {
      // Arrange / Act / Assert
      expect(run("States.Format($.template, 'Arnav')")).toBe('Hello, my name is Arnav.');
    });

    it('throws States.IntrinsicFailure when placeholders and values differ in number', () => {
      // Arrange / Act / Assert
      expect(failure("States.Format('{} {}', 'a')")).toEqual({
        name: 'States.IntrinsicFailure',
        message: 'States.Format has 2 placeholders but 1 value',
      });
    });

    it('throws States.IntrinsicFailure when the template is not a string', () => {
      // Arrange / Act / Assert
      expect(failure('States.Format($.list)').name).toBe('States.IntrinsicFailure');
    });
  });

  describe('JSON functions', () => {
    it('returns parsed JSON from States.StringToJson', () => {
      // Arrange / Act / Assert
      expect(run('States.StringToJson($.json)')).toEqual({ key: 'value' });
    });

    it('returns null from States.StringToJson when the string is empty', () => {
      // Arrange / Act / Assert (recorded: string_to_json with "")
      expect(run("States.StringToJson('')")).toBeNull();
    });

    it('throws States.IntrinsicFailure when States.StringToJson gets invalid JSON', () => {
      // Arrange / Act / Assert
      expect(failure("States.StringToJson('not json')").name).toBe('States.IntrinsicFailure');
    });

    it('returns compact JSON from States.JsonToString', () => {
      // Arrange / Act / Assert
      expect(run('States.JsonToString($.obj)')).toBe('{"test":"object"}');
    });

    it('returns a shallow merge from States.JsonMerge where the second object wins', () => {
      // Arrange / Act (recorded: json_merge)
      const merged = evaluateIntrinsic('States.JsonMerge($.a, $.b, false)', {
        ...scope,
        input: { a: { a: { a1: 1 }, b: 2, d: 3 }, b: { a: { a3: 1 }, c: 3, d: 4 } },
      });
      // Assert
      expect(merged).toEqual({ a: { a3: 1 }, b: 2, c: 3, d: 4 });
    });

    it('throws States.IntrinsicFailure when States.JsonMerge is asked for a deep merge', () => {
      // Arrange / Act / Assert
      expect(failure('States.JsonMerge($.obj, $.obj, true)').message).toMatch(/only shallow merge/);
    });

    it('throws States.IntrinsicFailure when States.JsonMerge gets a non-object', () => {
      // Arrange / Act / Assert
      expect(failure('States.JsonMerge($.list, $.obj, false)').name).toBe('States.IntrinsicFailure');
    });
  });

  describe('array functions', () => {
    it('returns its arguments as an array from States.Array', () => {
      // Arrange / Act / Assert
      expect(run("States.Array('a', 1, true, null, $.obj)")).toEqual([
        'a',
        1,
        true,
        null,
        { test: 'object' },
      ]);
      expect(run('States.Array()')).toEqual([]);
    });

    it('returns chunks from States.ArrayPartition with a shorter last chunk', () => {
      // Arrange / Act / Assert
      expect(run('States.ArrayPartition($.list, 4)')).toEqual([
        [1, 2, 3, 4],
        [5, 6],
      ]);
    });

    it('throws States.IntrinsicFailure when the chunk size is not positive', () => {
      // Arrange / Act / Assert
      expect(failure('States.ArrayPartition($.list, 0)').name).toBe('States.IntrinsicFailure');
    });

    it('returns whether States.ArrayContains finds a deeply equal value', () => {
      // Arrange / Act / Assert
      expect(run('States.ArrayContains($.list, 5)')).toBe(true);
      expect(run('States.ArrayContains(States.Array($.obj), $.obj)')).toBe(true);
      expect(run('States.ArrayContains($.list, 9)')).toBe(false);
    });

    it('returns inclusive ranges from States.ArrayRange in both directions', () => {
      // Arrange / Act / Assert
      expect(run('States.ArrayRange(1, 9, 2)')).toEqual([1, 3, 5, 7, 9]);
      expect(run('States.ArrayRange(0, 9, 3)')).toEqual([0, 3, 6, 9]);
      expect(run('States.ArrayRange(5, 1, -2)')).toEqual([5, 3, 1]);
    });

    it('returns exactly 1000 items and refuses 1001 from States.ArrayRange', () => {
      // Arrange / Act
      const thousand = run('States.ArrayRange(1, 1000, 1)') as number[];
      const tooMany = failure('States.ArrayRange(0, 1000, 1)');
      // Assert
      expect(thousand).toHaveLength(1000);
      expect(tooMany).toEqual({
        name: 'States.IntrinsicFailure',
        message: 'States.ArrayRange cannot create more than 1000 items, but the arguments give 1001',
      });
    });

    it('throws States.IntrinsicFailure when States.ArrayRange gets a zero step or a non-integer', () => {
      // Arrange / Act / Assert
      expect(failure('States.ArrayRange(1, 5, 0)').name).toBe('States.IntrinsicFailure');
      expect(failure('States.ArrayRange(1.5, 5, 1)').name).toBe('States.IntrinsicFailure');
    });

    it('returns the element at an index from States.ArrayGetItem', () => {
      // Arrange / Act / Assert
      expect(run('States.ArrayGetItem($.list, 2)')).toBe(3);
    });

    it('throws States.IntrinsicFailure when the index is out of bounds', () => {
      // Arrange / Act / Assert
      expect(failure('States.ArrayGetItem($.list, 6)').message).toBe(
        'The index 6 given to States.ArrayGetItem is out of bounds for an array of length 6',
      );
    });

    it('returns the length from States.ArrayLength and fails on a non-array', () => {
      // Arrange / Act / Assert
      expect(run('States.ArrayLength($.list)')).toBe(6);
      expect(failure('States.ArrayLength($.text)').message).toBe(
        'The first argument of States.ArrayLength must be an array, but was string "Hello World"',
      );
    });

    it('returns first occurrences in order from States.ArrayUnique', () => {
      // Arrange / Act / Assert
      expect(run('States.ArrayUnique($.dupes)')).toEqual([1, 2, 3, 4]);
      expect(run('States.ArrayUnique(States.Array($.obj, $.obj, 1))')).toEqual([{ test: 'object' }, 1]);
    });
  });

  describe('encoding and hashing', () => {
    it('round-trips text through States.Base64Encode and States.Base64Decode', () => {
      // Arrange / Act / Assert
      expect(run('States.Base64Encode($.text)')).toBe('SGVsbG8gV29ybGQ=');
      expect(run("States.Base64Decode('SGVsbG8gV29ybGQ=')")).toBe('Hello World');
      expect(run("States.Base64Encode('')")).toBe('');
    });

    it('throws States.IntrinsicFailure when States.Base64Decode gets invalid base64', () => {
      // Arrange / Act / Assert
      expect(failure("States.Base64Decode('no!')").name).toBe('States.IntrinsicFailure');
    });

    it('throws States.IntrinsicFailure when the input is longer than 10,000 characters', () => {
      // Arrange
      const big = { ...scope, input: { s: 'x'.repeat(10_001) } };
      // Act / Assert
      for (const fn of ['States.Base64Encode($.s)', 'States.Base64Decode($.s)', "States.Hash($.s, 'MD5')"]) {
        expect(() => evaluateIntrinsic(fn, big)).toThrowError(
          expect.objectContaining({ name: 'States.IntrinsicFailure' }),
        );
      }
    });

    it('returns hex digests for every supported algorithm', () => {
      // Arrange / Act / Assert (the SHA-256 value is recorded in assign_from_value)
      expect(run("States.Hash('Hash this string', 'SHA-256')")).toBe(
        '1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e',
      );
      expect(run("States.Hash('', 'MD5')")).toBe('d41d8cd98f00b204e9800998ecf8427e');
      expect(run("States.Hash('', 'SHA-1')")).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
      expect((run("States.Hash('', 'SHA-384')") as string).length).toBe(96);
      expect((run("States.Hash('', 'SHA-512')") as string).length).toBe(128);
    });

    it('throws States.IntrinsicFailure for an unknown algorithm', () => {
      // Arrange / Act / Assert
      expect(failure("States.Hash('a', 'SHA-3')").message).toBe(
        "States.Hash does not support the algorithm 'SHA-3'; use one of MD5, SHA-1, SHA-256, SHA-384, SHA-512",
      );
    });
  });

  describe('math, strings and ids', () => {
    it('returns sums from States.MathAdd, rounding like Java', () => {
      // Arrange / Act / Assert
      expect(run('States.MathAdd(-9, 3)')).toBe(-6);
      expect(run('States.MathAdd(1.5, -2.5)')).toBe(0);
    });

    it('throws States.IntrinsicFailure when States.MathAdd leaves the 32-bit range or gets a string', () => {
      // Arrange / Act / Assert
      expect(failure('States.MathAdd(2147483648, 1)').name).toBe('States.IntrinsicFailure');
      expect(failure("States.MathAdd('1', 1)").name).toBe('States.IntrinsicFailure');
    });

    it('takes unseeded States.MathRandom values from the injected source', () => {
      // Arrange
      const random = scripted([7]);
      // Act / Assert
      expect(run('States.MathRandom(10, 20)', random)).toBe(17);
    });

    it('returns the same value for the same seed and stays within bounds', () => {
      // Arrange / Act
      const first = run('States.MathRandom(1, 1000, 42)');
      const second = run('States.MathRandom(1, 1000, 42)');
      // Assert: new java.util.Random(42)'s first 32-bit output is the widely published -1170105035,
      // so next(31) = 1562431130 and nextInt(999) = 1562431130 % 999 = 125; start 1 + 125 = 126.
      expect(first).toBe(second);
      expect(first).toBe(126);
    });

    it('throws States.IntrinsicFailure when the start is not below the end', () => {
      // Arrange / Act / Assert
      expect(failure('States.MathRandom(5, 5)').name).toBe('States.IntrinsicFailure');
    });

    it('splits on every delimiter character and drops empty pieces', () => {
      // Arrange / Act / Assert (recorded: string_split_context_object)
      expect(run("States.StringSplit('a,,b;c,', ',;')")).toEqual(['a', 'b', 'c']);
      expect(run("States.StringSplit(' ', ',')")).toEqual([' ']);
    });

    it('returns a version 4 UUID built from the injected bytes', () => {
      // Arrange / Act
      const id = run('States.UUID()', scripted([], 0xff));
      // Assert
      expect(id).toBe('ffffffff-ffff-4fff-bfff-ffffffffffff');
    });
  });

  describe('expressions', () => {
    it('evaluates nested calls over the context object', () => {
      // Arrange / Act (recorded: nested_calls_2)
      const last = run(
        "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
      );
      // Assert
      expect(last).toBe('v2');
    });

    it('accepts 10 nested calls and refuses 11', () => {
      // Arrange
      const nest = (depth: number) => `${'States.Array('.repeat(depth)}1${')'.repeat(depth)}`;
      // Act
      const ten = run(nest(MAX_NESTING_DEPTH));
      const eleven = failure(nest(MAX_NESTING_DEPTH + 1));
      // Assert
      expect(JSON.stringify(ten)).toBe(`${'['.repeat(10)}1${']'.repeat(10)}`);
      expect(eleven.name).toBe('States.Runtime');
      expect(eleven.message).toMatch(/nested at most 10 deep/);
    });

    it('throws States.Runtime with the payload cause when a path argument matches nothing', () => {
      // Arrange / Act
      let caught: Error | undefined;
      try {
        evaluateIntrinsic('States.Array($.missing)', { ...scope, input: { a: 1 } }, { field: 'x.$' });
      } catch (error) {
        caught = error as Error;
      }
      // Assert
      expect(caught?.name).toBe('States.Runtime');
      expect(caught?.message).toBe(
        `The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input '{"a":1}'`,
      );
    });

    it('throws a one-line States.Runtime error for each kind of malformed expression', () => {
      // Arrange
      const malformed = {
        'unknown function': 'States.Nope(1)',
        'missing parenthesis': "States.Format('a'",
        'too many arguments': 'States.ArrayLength($.list, 1)',
        'too few arguments': 'States.Hash($.text)',
        'open escape': "States.Format('a\\nb')",
        'unterminated string': "States.Format('abc)",
        'trailing input': 'States.UUID() x',
        'not a call': "'just a string'",
        'bad path': 'States.Array($.a[)',
        'stray character': 'States.Array(#)',
      };
      // Act / Assert
      for (const [kind, expression] of Object.entries(malformed)) {
        const error = failure(expression);
        expect(error.name, kind).toBe('States.Runtime');
        expect(error.message, kind).not.toContain('\n');
      }
    });
  });
});
