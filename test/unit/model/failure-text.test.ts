import { describe, expect, it } from 'vitest';
import { errorInWords, readableFailure } from '../../../model/failure-text.js';

describe('readableFailure', () => {
  it('says the error name in words and keeps its name beside them', () => {
    // Arrange / Act
    const failure = readableFailure('Tollgate.SmokeTestFailed', 'GET /health answered 503');
    // Assert
    expect(failure).toEqual({
      title: 'Smoke test failed',
      error: 'Tollgate.SmokeTestFailed',
      message: 'GET /health answered 503',
    });
  });

  it('returns the message of a Lambda error wrapper without its JSON or stack trace', () => {
    // Arrange
    const cause = JSON.stringify({
      errorType: 'Tollgate.MigrationFailed',
      errorMessage: '0003_orders_total failed: column "total" contains null values\nrolled back',
      trace: ['Tollgate.MigrationFailed: 0003…', '    at migrate (/var/task/index.js:1:2)'],
    });
    // Act
    const failure = readableFailure('Tollgate.MigrationFailed', cause);
    // Assert
    expect(failure.message).toBe(
      '0003_orders_total failed: column "total" contains null values\nrolled back',
    );
  });

  it('reads the cause inside the pipeline failure record and drops the evidence JSON', () => {
    // Arrange
    const inner = JSON.stringify({
      errorType: 'Tollgate.SmokeTestFailed',
      errorMessage: '1 of 2 smoke tests failed: health (503) | evidence: {"checks":[{"name":"health"}]}',
    });
    const cause = JSON.stringify({ stage: 'smoke-test', environment: 'test', error: 'x', cause: inner });
    // Act
    const failure = readableFailure('Tollgate.SmokeTestFailed', cause);
    // Assert
    expect(failure.message).toBe('1 of 2 smoke tests failed: health (503)');
  });

  it('removes stack frames from a plain message and keeps every other line', () => {
    // Arrange
    const cause =
      'Error: connect ECONNREFUSED 127.0.0.1:4711\n    at TCPConnectWrap.afterConnect (node:net:1:2)\nretried 3 times';
    // Act / Assert
    expect(readableFailure('Error', cause).message).toBe(
      'Error: connect ECONNREFUSED 127.0.0.1:4711\nretried 3 times',
    );
  });

  it('returns an empty message and "Error" when the history names neither', () => {
    // Arrange / Act
    const failure = readableFailure(null, undefined);
    // Assert
    expect(failure).toEqual({ title: 'Error', error: 'Error', message: '' });
  });

  it.each([
    ['States.Timeout', 'Timed out'],
    ['Tollgate.NotRollbackSafe', 'Not rollback safe'],
    ['Tollgate.DataCheckFailed', 'Data check failed'],
    ['Lambda.ServiceException', 'Service exception'],
    ['HTTPError', 'HTTP error'],
  ])('words %s as "%s"', (name, words) => {
    // Arrange / Act / Assert
    expect(errorInWords(name)).toBe(words);
  });
});
