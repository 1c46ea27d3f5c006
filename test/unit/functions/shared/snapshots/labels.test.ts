import { describe, expect, it } from 'vitest';
import { sameLabels, validateLabels } from '../../../../../functions/shared/snapshots/labels.js';

const base = {
  pipeline: 'orders',
  run: 'arn:aws:states:local:0:execution:p:r1',
  ttl: '2026-01-02T00:00:00.000Z',
};

describe('validateLabels', () => {
  it('orders the keys by code unit, the same under every locale', () => {
    // Act
    const labels = validateLabels({ ...base, ab: '1', a_z: '2', 'a.b': '3', 'a-c': '4' });

    // Assert: localeCompare gives a_z, a-c, a.b (ICU orders punctuation by its own table)
    expect(Object.keys(labels)).toEqual(['a-c', 'a.b', 'a_z', 'ab', 'pipeline', 'run', 'ttl']);
  });

  it('takes two requests that differ only in key order and ttl for the same one', () => {
    const a = validateLabels({ ...base, zone: 'x', app: 'y' });
    const b = validateLabels({
      app: 'y',
      ttl: '2027-01-01T00:00:00.000Z',
      zone: 'x',
      run: base.run,
      pipeline: 'orders',
    });

    expect(sameLabels(a, b)).toBe(true);
  });
});
