import { describe, expect, it } from 'vitest';
import { CliError } from '../../../../cli/client/cli-error.js';
import { pickRun } from '../../../../cli/client/pipeline-api.js';

const runs = [
  { name: '31eb1c6a-0e36-46f9-ae6c-4c38b19a6e90' },
  { name: '31eb77aa-1111-46f9-ae6c-4c38b19a6e90' },
  { name: 'a7c0ffee-2222-46f9-ae6c-4c38b19a6e90' },
];

describe('pickRun', () => {
  it('returns the run whose name starts with a short id, as the terminal prints it', () => {
    // Act
    const picked = pickRun(runs, 'a7c0ffee');
    // Assert
    expect(picked).toBe(runs[2]);
  });

  it('returns the run of that exact name before any prefix match', () => {
    // Act
    const picked = pickRun([{ name: 'run-1' }, { name: 'run-10' }], 'run-1');
    // Assert
    expect(picked).toEqual({ name: 'run-1' });
  });

  it('throws a one-line error naming the runs when the short id fits more than one', () => {
    // Act
    const attempt = () => pickRun(runs, '31eb');
    // Assert
    expect(attempt).toThrow(CliError);
    expect(attempt).toThrow(
      /^run "31eb" is ambiguous: 2 runs start with it \(31eb1c6a-[^)]*\); give more of the name$/,
    );
  });

  it('returns nothing for a prefix shorter than four characters or one no run has', () => {
    // Act
    const picked = [pickRun(runs, 'a7c'), pickRun(runs, 'ffff')];
    // Assert
    expect(picked).toEqual([undefined, undefined]);
  });
});
