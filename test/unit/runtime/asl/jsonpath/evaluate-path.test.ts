import { describe, expect, it } from 'vitest';
import { evaluatePath, validatePath } from '../../../../../runtime/asl/jsonpath/index.js';

const store = {
  book: [
    { title: 'A', price: 8, isbn: 'x1' },
    { title: 'B', price: 12 },
    { title: 'C', price: 22, isbn: 'x3' },
  ],
  bicycle: { color: 'red', price: 19 },
};

function failure(run: () => unknown): { name: string; message: string } {
  try {
    run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  throw new Error('expected a failure');
}

describe('evaluatePath', () => {
  it('returns the whole input when the path is $', () => {
    // Arrange
    const input = { a: [1, 2] };
    // Act
    const value = evaluatePath('$', input);
    // Assert
    expect(value).toBe(input);
  });

  it('returns a nested value when dot and bracket notation mix', () => {
    // Arrange / Act
    const value = evaluatePath("$.store['book'][1].title", { store });
    // Assert
    expect(value).toBe('B');
  });

  it('returns null when the property exists with a null value', () => {
    // Arrange / Act / Assert
    expect(evaluatePath('$.a', { a: null })).toBeNull();
  });

  it('counts a negative index from the end of the array', () => {
    // Arrange / Act / Assert
    expect(evaluatePath('$.book[-1].title', store)).toBe('C');
  });

  it('returns every element as an array when the path uses [*]', () => {
    // Arrange / Act
    const titles = evaluatePath('$.book[*].title', store);
    // Assert
    expect(titles).toEqual(['A', 'B', 'C']);
  });

  it('returns an empty array when [*] is applied to an empty object', () => {
    // Arrange / Act / Assert (recorded: json_path_array_wildcard_or_slice_with_no_input)
    expect(evaluatePath('$[*]', {})).toEqual([]);
  });

  it('returns object values in order when .* is applied to an object', () => {
    // Arrange / Act / Assert
    expect(evaluatePath('$.bicycle.*', store)).toEqual(['red', 19]);
  });

  it('returns every price in document order when the path deep-scans', () => {
    // Arrange / Act
    const prices = evaluatePath('$..price', store);
    // Assert
    expect(prices).toEqual([8, 12, 22, 19]);
  });

  it('returns the slice bounds as Jayway does when the path slices', () => {
    // Arrange
    const data = { n: [0, 1, 2, 3, 4] };
    // Act / Assert
    expect(evaluatePath('$.n[1:3]', data)).toEqual([1, 2]);
    expect(evaluatePath('$.n[:2]', data)).toEqual([0, 1]);
    expect(evaluatePath('$.n[-2:]', data)).toEqual([3, 4]);
    expect(evaluatePath('$.n[3:99]', data)).toEqual([3, 4]);
  });

  it('returns the picked elements when the path lists indexes', () => {
    // Arrange / Act / Assert
    expect(evaluatePath('$.book[0,2].title', store)).toEqual(['A', 'C']);
  });

  it('merges the existing properties when a trailing bracket lists several names', () => {
    // Arrange / Act / Assert
    expect(evaluatePath("$.bicycle['color','price','missing']", store)).toEqual({ color: 'red', price: 19 });
  });

  it('returns the matching elements when the path filters with a comparison', () => {
    // Arrange / Act / Assert (recorded: state_pass_regex_json_path_base)
    const users = {
      users: [
        { year: 1997, status: 0 },
        { year: 1998, status: 1 },
      ],
    };
    expect(evaluatePath('$.users[?(@.status == 0)]', users)).toEqual([{ year: 1997, status: 0 }]);
  });

  it('combines filter terms with && || ! and parentheses', () => {
    // Arrange / Act
    const cheapWithIsbn = evaluatePath('$.book[?(@.price < 10 && @.isbn)].title', store);
    const either = evaluatePath("$.book[?(@.price > 20 || @.title == 'B')].title", store);
    const negated = evaluatePath('$.book[?(!(@.isbn))].title', store);
    // Assert
    expect(cheapWithIsbn).toEqual(['A']);
    expect(either).toEqual(['B', 'C']);
    expect(negated).toEqual(['B']);
  });

  it('compares against the document root and regexes inside a filter', () => {
    // Arrange
    const data = {
      limit: 15,
      items: [
        { n: 'ab', v: 10 },
        { n: 'cd', v: 20 },
      ],
    };
    // Act / Assert
    expect(evaluatePath('$.items[?(@.v <= $.limit)].n', data)).toEqual(['ab']);
    expect(evaluatePath('$.items[?(@.n =~ /c.*/)].v', data)).toEqual([20]);
  });

  it('treats a filter comparison across types as false', () => {
    // Arrange / Act / Assert
    expect(evaluatePath("$.book[?(@.price == '8')]", store)).toEqual([]);
  });

  it('keeps a backslash inside a quoted name as AWS does', () => {
    // Arrange: recorded in escape_sequence_parsing, $['Test\""Name"'] reads the key Test\""Name"
    const input = { 'Test\\""Name"': 'Value"\\' };
    // Act / Assert
    expect(evaluatePath(`$['Test\\""Name"']`, input)).toBe('Value"\\');
  });

  it('throws States.Runtime with Jayway "No results" text when a leaf is missing', () => {
    // Arrange / Act
    const error = failure(() => evaluatePath('$.Payload', { other: 1 }, 'OutputPath'));
    // Assert
    expect(error).toEqual({
      name: 'States.Runtime',
      message: "Invalid path '$.Payload' : No results for path: $['Payload']",
    });
  });

  it('throws "Missing property in path" when an intermediate property is missing', () => {
    // Arrange / Act (recorded: catch_states_runtime)
    const error = failure(() => evaluatePath('$.no.such.result.path', {}, 'OutputPath'));
    // Assert
    expect(error.message).toBe("Invalid path '$.no.such.result.path' : Missing property in path $['no']");
  });

  it('throws the payload-field cause when the field is a .$ key', () => {
    // Arrange / Act (recorded: invalid_jsonpath INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH)
    const error = failure(() => evaluatePath('$.no_such_jsonpath', { 'int-literal': 0 }, 'value.$'));
    // Assert
    expect(error.message).toBe(
      `The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{"int-literal":0}'`,
    );
  });

  it('throws when an index is out of range on a definite path', () => {
    // Arrange / Act
    const error = failure(() => evaluatePath('$.a[5]', { a: [1] }));
    // Assert
    expect(error.message).toBe("Invalid path '$.a[5]' : No results for path: $['a'][5]");
  });

  it('throws when a property is read from a scalar on a definite path', () => {
    // Arrange / Act
    const error = failure(() => evaluatePath('$.a.b', { a: 5 }));
    // Assert
    expect(error.name).toBe('States.Runtime');
    expect(error.message).toContain("Expected to find an object with property ['b'] in path $['a']");
  });

  it('throws when an index is applied to an object on a definite path', () => {
    // Arrange / Act
    const error = failure(() => evaluatePath('$.a[0]', { a: { x: 1 } }));
    // Assert
    expect(error.message).toBe(
      `Invalid path '$.a[0]' : Filter: [0] can only be applied to arrays. Current context is: {"x":1}`,
    );
  });

  it('throws a one-line syntax error when the path is malformed', () => {
    // Arrange / Act
    const error = failure(() => evaluatePath('$.a[', { a: 1 }));
    // Assert
    expect(error.name).toBe('States.Runtime');
    expect(error.message).toMatch(/^Invalid JSONPath '\$\.a\[': /);
    expect(error.message).not.toContain('\n');
  });
});

describe('validatePath', () => {
  it('returns undefined when the path is valid', () => {
    // Arrange
    const valid = [
      '$',
      '$.a',
      "$['a b'][0]",
      '$..x',
      '$.a[*]',
      '$.a[1:2]',
      '$.a[?(@.x > 1)]',
      '$$.Execution.Id',
      '$myVar.field',
    ];
    // Act / Assert
    for (const path of valid) expect(validatePath(path), path).toBeUndefined();
  });

  it('returns a message for each kind of malformed path', () => {
    // Arrange
    const invalid = {
      'no root': 'a.b',
      'empty name': '$.',
      'blank in name': '$.a b',
      'unclosed bracket': '$.a[0',
      'unterminated quote': "$['a]",
      'slice step': '$.a[0:4:2]',
      'bad filter': '$.a[?(@.x >)]',
      'filter without parentheses': '$.a[?@.x]',
      'deep scan without target': '$..',
      'function call': '$.a.length()',
      'not a string': 42 as unknown as string,
    };
    // Act / Assert
    for (const [kind, path] of Object.entries(invalid)) {
      const message = validatePath(path);
      expect(message, kind).toBeTypeOf('string');
      expect(message, kind).not.toContain('\n');
    }
  });
});
