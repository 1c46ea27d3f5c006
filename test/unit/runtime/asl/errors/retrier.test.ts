import { describe, expect, it } from 'vitest';
import { errorMatches } from '../../../../../runtime/asl/errors/error-matching.js';
import { Retrier } from '../../../../../runtime/asl/errors/retrier.js';

describe('Retrier', () => {
  it('returns IntervalSeconds × BackoffRate^n delays until MaxAttempts is used up', () => {
    // Arrange
    const retrier = new Retrier({ ErrorEquals: ['X'], IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 3 });

    // Act
    const delays = [
      retrier.nextDelayMs(),
      retrier.nextDelayMs(),
      retrier.nextDelayMs(),
      retrier.nextDelayMs(),
    ];

    // Assert
    expect(delays).toEqual([1000, 2000, 4000, undefined]);
  });

  it('caps the delay at MaxDelaySeconds', () => {
    // Arrange
    const retrier = new Retrier({
      ErrorEquals: ['X'],
      IntervalSeconds: 10,
      BackoffRate: 10,
      MaxAttempts: 3,
      MaxDelaySeconds: 50,
    });

    // Act
    const delays = [retrier.nextDelayMs(), retrier.nextDelayMs(), retrier.nextDelayMs()];

    // Assert
    expect(delays).toEqual([10_000, 50_000, 50_000]);
  });

  it('scales the delay by the random source with FULL jitter', () => {
    // Arrange
    const retrier = new Retrier(
      { ErrorEquals: ['X'], IntervalSeconds: 4, JitterStrategy: 'FULL' },
      () => 0.25,
    );

    // Act
    const delay = retrier.nextDelayMs();

    // Assert
    expect(delay).toBe(1000);
  });

  it('never retries when MaxAttempts is 0', () => {
    // Act / Assert
    expect(new Retrier({ ErrorEquals: ['X'], MaxAttempts: 0 }).nextDelayMs()).toBeUndefined();
  });
});

describe('errorMatches', () => {
  it('matches States.ALL for anything except States.Runtime', () => {
    // Act / Assert
    expect(errorMatches(['States.ALL'], 'Lambda.Unknown')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Timeout')).toBe(true);
    expect(errorMatches(['States.ALL'], 'States.Runtime')).toBe(false);
  });

  it('matches States.TaskFailed for task errors but not for States.Timeout', () => {
    // Act / Assert
    expect(errorMatches(['States.TaskFailed'], 'Exception')).toBe(true);
    expect(errorMatches(['States.TaskFailed'], 'States.Timeout')).toBe(false);
  });

  it('matches names exactly otherwise', () => {
    // Act / Assert
    expect(errorMatches(['Lambda.Unknown'], 'Exception')).toBe(false);
    expect(errorMatches(['Exception'], 'Exception')).toBe(true);
  });
});
