import { describe, expect, it } from 'vitest';
import { type Route, RouteTable, RouteTableError } from '../../../../runtime/local-api/route-table.js';

const ROUTES: Route<string>[] = [
  { method: ['GET', 'HEAD'], path: '/console', handler: 'page' },
  { method: 'GET', path: '/api/runs', handler: 'runs' },
  { method: 'GET', path: '/api/runs/:name', handler: 'run' },
  { method: 'GET', path: '/api/runs/:name/history', handler: 'history' },
  { method: 'POST', path: '/api/runs/:name/redrive', handler: 'redrive' },
  { method: 'DELETE', path: '/api/runs/:name', handler: 'delete' },
];

describe('RouteTable', () => {
  const table = new RouteTable(ROUTES);

  it('returns the handler and no params when a static path and its method match', () => {
    // Act
    const found = table.match('GET', '/api/runs');
    // Assert
    expect(found).toEqual({ kind: 'found', handler: 'runs', params: {} });
  });

  it('returns the decoded params when a pattern matches', () => {
    // Act
    const found = table.match('GET', '/api/runs/run%20one%2Fa/history');
    // Assert
    expect(found).toEqual({ kind: 'found', handler: 'history', params: { name: 'run one/a' } });
  });

  it('picks the row for the method when two rows share a path', () => {
    // Act
    const get = table.match('GET', '/api/runs/r1');
    const del = table.match('DELETE', '/api/runs/r1');
    // Assert
    expect(get).toMatchObject({ kind: 'found', handler: 'run' });
    expect(del).toMatchObject({ kind: 'found', handler: 'delete' });
  });

  it('answers method-not-allowed with every method the path takes', () => {
    // Act
    const put = table.match('PUT', '/api/runs/r1');
    const get = table.match('GET', '/api/runs/r1/redrive');
    const head = table.match('HEAD', '/api/runs');
    // Assert
    expect(put).toEqual({ kind: 'method-not-allowed', allowed: ['GET', 'DELETE'] });
    expect(get).toEqual({ kind: 'method-not-allowed', allowed: ['POST'] });
    expect(head).toEqual({ kind: 'method-not-allowed', allowed: ['GET'] });
  });

  const strangers = [
    '/api/runs/',
    '/api/runs/a/b',
    '/API/runs',
    '/console/',
    '/console/app.js',
    '/',
    '',
    'api/runs',
    '/api/runs/%2',
  ];
  for (const path of strangers) {
    it(`answers not-found for ${JSON.stringify(path)}, a path no row has`, () => {
      // Act
      const found = table.match('GET', path);
      // Assert
      expect(found).toEqual(
        path === '/api/runs/%2' ? { kind: 'bad-encoding', param: 'name' } : { kind: 'not-found' },
      );
    });
  }

  it('answers bad-encoding, naming the parameter, when a matched segment is not valid percent-encoding', () => {
    // Act
    const found = table.match('GET', '/api/runs/%E0%A4%A/history');
    // Assert
    expect(found).toEqual({ kind: 'bad-encoding', param: 'name' });
  });

  it('answers method-not-allowed before looking at the encoding', () => {
    // Act
    const found = table.match('PATCH', '/api/runs/%E0%A4%A');
    // Assert
    expect(found).toEqual({ kind: 'method-not-allowed', allowed: ['GET', 'DELETE'] });
  });

  it('answers the same after many matches: matching changes nothing', () => {
    // Arrange
    for (let i = 0; i < 5; i++) table.match('POST', `/api/runs/r${i}/redrive`);
    // Act
    const found = table.match('GET', '/api/runs/r9');
    // Assert
    expect(found).toEqual({ kind: 'found', handler: 'run', params: { name: 'r9' } });
  });

  const broken: Array<[string, unknown, RegExp]> = [
    ['no array', undefined, /^a route table needs an array of routes$/],
    [
      'an unknown method',
      [{ method: 'FETCH', path: '/a', handler: 1 }],
      /^route "\/a": unknown method "FETCH"; use one of GET, HEAD, POST/,
    ],
    ['no method', [{ method: [], path: '/a', handler: 1 }], /^route "\/a" needs a method/],
    [
      'a relative path',
      [{ method: 'GET', path: 'api/runs', handler: 1 }],
      /^route path "api\/runs" must be a string starting with "\/"$/,
    ],
    [
      'a pattern path-to-regexp refuses',
      [{ method: 'GET', path: '/a/:', handler: 1 }],
      /^route path "\/a\/:" is not a valid pattern: /,
    ],
    [
      'a wildcard',
      [{ method: 'GET', path: '/files/*rest', handler: 1 }],
      /^route path "\/files\/\*rest": wildcards are not supported; name each segment$/,
    ],
    [
      'the same method and path twice',
      [
        { method: ['GET', 'HEAD'], path: '/a', handler: 1 },
        { method: 'HEAD', path: '/a', handler: 2 },
      ],
      /^route HEAD \/a is listed twice$/,
    ],
  ];
  for (const [what, routes, message] of broken) {
    it(`refuses a table with ${what} in one line`, () => {
      // Act
      const build = () => new RouteTable(routes as Route<number>[]);
      // Assert
      expect(build).toThrow(RouteTableError);
      expect(build).toThrow(message);
      try {
        build();
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    });
  }
});
