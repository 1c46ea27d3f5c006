import { describe, expect, it } from 'vitest';
import { copyRanges } from '../../../../../../functions/shared/adapters/aws/s3-multipart-copy.js';

const GiB = 1024 ** 3;

describe('copyRanges', () => {
  it('returns 1 GiB ranges covering every byte once when the object is larger than the 5 GiB CopyObject limit', () => {
    // Act
    const ranges = copyRanges(5 * GiB + 1);
    // Assert
    expect(ranges).toHaveLength(6);
    expect(ranges[0]).toEqual({ PartNumber: 1, start: 0, end: GiB - 1 });
    expect(ranges.at(-1)).toEqual({ PartNumber: 6, start: 5 * GiB, end: 5 * GiB });
    expect(ranges.slice(1).map((r) => r.start)).toEqual(ranges.slice(0, -1).map((r) => r.end + 1));
  });

  it('returns one range when the object fits in one part', () => {
    // Act + Assert
    expect(copyRanges(10)).toEqual([{ PartNumber: 1, start: 0, end: 9 }]);
  });
});
