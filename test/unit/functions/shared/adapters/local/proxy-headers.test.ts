import { describe, expect, it } from 'vitest';
import {
  forwardedRequest,
  returnedHeaders,
} from '../../../../../../functions/shared/adapters/local/proxy-headers.js';

describe('forwardedRequest', () => {
  it('keeps end-to-end headers in order, joins cookies and replaces x-forwarded-for', () => {
    // Arrange
    const raw = [
      'Host',
      'shop',
      'Cookie',
      'a=1',
      'X-Forwarded-For',
      '203.0.113.9',
      'cookie',
      'b=2',
      'TE',
      'trailers',
    ];
    // Act
    const forwarded = forwardedRequest(raw, '10.0.0.7');
    // Assert
    expect(forwarded).toEqual({
      headers: ['Host', 'shop', 'Cookie', 'a=1', 'cookie', 'b=2', 'x-forwarded-for', '10.0.0.7'],
      cookie: 'a=1; b=2',
      hasBody: false,
    });
  });

  it.each([
    [['Content-Length', '12'], true],
    [['Content-Length', '0'], false],
    [['Transfer-Encoding', 'chunked'], true],
    [[], false],
  ])('reads %j as a body that follows: %s', (raw, hasBody) => {
    // Arrange
    // Act
    const forwarded = forwardedRequest(raw, '127.0.0.1');
    // Assert
    expect(forwarded.hasBody).toBe(hasBody);
  });

  it('never forwards the connection-scoped headers undici refuses or that describe the client hop', () => {
    // Arrange
    const raw = [
      'Connection',
      'keep-alive',
      'Keep-Alive',
      'timeout=5',
      'Transfer-Encoding',
      'chunked',
      'Upgrade',
      'h2c',
      'Expect',
      '100-continue',
    ];
    // Act
    const forwarded = forwardedRequest(raw, '127.0.0.1');
    // Assert
    expect(forwarded.headers).toEqual(['x-forwarded-for', '127.0.0.1']);
  });
});

describe('returnedHeaders', () => {
  it("drops the app's hop-by-hop headers, spreads repeated values and adds the pin last", () => {
    // Arrange
    const app = {
      'content-type': 'text/plain',
      connection: 'keep-alive',
      'keep-alive': 'timeout=5',
      'transfer-encoding': 'chunked',
      'set-cookie': ['a=1', 'b=2'],
      'x-absent': undefined,
    };
    // Act
    const out = returnedHeaders(app, 'r 2');
    // Assert
    expect(out).toEqual([
      'content-type',
      'text/plain',
      'set-cookie',
      'a=1',
      'set-cookie',
      'b=2',
      'set-cookie',
      'tollgate-release=r%202; Path=/; HttpOnly; SameSite=Lax',
    ]);
  });
});
