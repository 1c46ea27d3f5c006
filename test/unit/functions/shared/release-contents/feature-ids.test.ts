import { describe, expect, it } from 'vitest';
import { DEFAULT_FEATURE_PATTERNS } from '../../../../../functions/shared/config/features-schema.js';
import { featureIds, featureLink } from '../../../../../functions/shared/release-contents/feature-ids.js';

const commit = (n: number, subject: string) => ({
  commit: String(n).repeat(40).slice(0, 40),
  author: 'Ana <ana@example.com>',
  subject,
});

describe('featureIds', () => {
  it('returns each ID once with the commits naming it, in first-seen order, for the default patterns', () => {
    // Arrange
    const commits = [
      commit(1, 'ORD-12: refunds (fixes #7)'),
      commit(2, 'ORD-12 follow-up'),
      commit(3, 'tidy'),
    ];

    // Act
    const ids = featureIds(commits, { patterns: [...DEFAULT_FEATURE_PATTERNS] });

    // Assert
    expect(ids).toEqual([
      { id: 'ORD-12', commits: [commits[0]!.commit, commits[1]!.commit] },
      { id: '#7', commits: [commits[0]!.commit] },
    ]);
  });

  it('returns links from the template, a #number without its #', () => {
    // Act
    const ids = featureIds([commit(1, 'ORD-3 and #9')], {
      patterns: [...DEFAULT_FEATURE_PATTERNS],
      link: 'https://tracker.example/browse/{id}',
    });

    // Assert
    expect(ids.map((f) => f.link)).toEqual([
      'https://tracker.example/browse/ORD-3',
      'https://tracker.example/browse/9',
    ]);
  });

  it('returns nothing when no subject matches, and does not match lowercase keys', () => {
    expect(featureIds([commit(1, 'ord-3 tidy')], { patterns: [...DEFAULT_FEATURE_PATTERNS] })).toEqual([]);
  });
});

describe('featureLink', () => {
  it('returns the template with the ID escaped for a URL', () => {
    expect(featureLink('A B', 'https://t.example/{id}')).toBe('https://t.example/A%20B');
  });
});
