import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signGitHubBody, verifyGitHubSignature } from '../../../../functions/webhook/signature.js';

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');

describe('verifyGitHubSignature', () => {
  it('returns true when the header matches the GitHub documentation example', () => {
    // Arrange: the test vector from GitHub's "Validating webhook deliveries" page
    const header = 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';

    // Act
    const valid = verifyGitHubSignature(SECRET, BODY, header);

    // Assert
    expect(valid).toBe(true);
  });

  it('returns true when the header uses upper-case hex', () => {
    // Arrange
    const header = signGitHubBody(SECRET, BODY).replace(/[0-9a-f]{64}/, (hex) => hex.toUpperCase());

    // Act / Assert
    expect(verifyGitHubSignature(SECRET, BODY, header)).toBe(true);
  });

  it('returns false when the header is missing', () => {
    expect(verifyGitHubSignature(SECRET, BODY, undefined)).toBe(false);
  });

  it('returns false when the header is the SHA-1 variant', () => {
    // Arrange
    const sha1 = `sha1=${createHmac('sha1', SECRET).update(BODY).digest('hex')}`;

    // Act / Assert
    expect(verifyGitHubSignature(SECRET, BODY, sha1)).toBe(false);
  });

  it('returns false when the hex is truncated', () => {
    expect(verifyGitHubSignature(SECRET, BODY, signGitHubBody(SECRET, BODY).slice(0, -2))).toBe(false);
  });

  it('returns false when the body differs by one byte', () => {
    // Arrange
    const header = signGitHubBody(SECRET, BODY);

    // Act / Assert
    expect(verifyGitHubSignature(SECRET, Buffer.from('Hello, World?'), header)).toBe(false);
  });

  it('returns false when the body was signed with another secret', () => {
    expect(verifyGitHubSignature(SECRET, BODY, signGitHubBody('other', BODY))).toBe(false);
  });

  it('throws when the secret is empty', () => {
    expect(() => verifyGitHubSignature('', BODY, signGitHubBody('x', BODY))).toThrow(/secret is empty/);
  });
});
