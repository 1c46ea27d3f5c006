import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ImageRegistry } from '../../../../../functions/shared/ports/image-registry.js';

export interface ImageRegistryFixture {
  readonly registry: ImageRegistry;
  /** Puts a distinct untagged image into the registry (what a build's push does); returns its digest. */
  readonly pushImage: (seed: string) => Promise<string>;
  readonly cleanup?: () => Promise<void>;
}

const ABSENT = `sha256:${'0'.repeat(64)}`;

/** The one behaviour every ImageRegistry adapter must show. */
export function imageRegistryContract(adapter: string, setup: () => Promise<ImageRegistryFixture>): void {
  describe(`ImageRegistry contract: ${adapter}`, () => {
    let fixture: ImageRegistryFixture;
    let registry: ImageRegistry;

    beforeEach(async () => {
      fixture = await setup();
      registry = fixture.registry;
    });
    afterEach(async () => {
      await fixture.cleanup?.();
    });

    it('returns undefined when resolving a tag that was never set', async () => {
      // Act + Assert
      expect(await registry.resolve('release-r1-abcdef0')).toBeUndefined();
    });

    it('returns created true and resolves the tag when a release tag is new', async () => {
      // Arrange
      const digest = await fixture.pushImage('a');
      // Act
      const result = await registry.tag(digest, 'release-r1-abcdef0');
      // Assert
      expect(result).toEqual({ created: true });
      expect(await registry.resolve('release-r1-abcdef0')).toBe(digest);
      expect(await registry.tagsOf(digest)).toEqual(['release-r1-abcdef0']);
    });

    it('returns created false when the same tag is set on the same digest again', async () => {
      // Arrange
      const digest = await fixture.pushImage('a');
      await registry.tag(digest, 'release-r1-abcdef0');
      // Act
      const again = await registry.tag(digest, 'release-r1-abcdef0');
      // Assert
      expect(again).toEqual({ created: false });
      expect(await registry.tagsOf(digest)).toEqual(['release-r1-abcdef0']);
    });

    it('throws ImmutableConflict and keeps the tag when a release tag is moved to another digest', async () => {
      // Arrange
      const first = await fixture.pushImage('a');
      const second = await fixture.pushImage('b');
      await registry.tag(first, 'release-r1-abcdef0');
      // Act
      const attempt = registry.tag(second, 'release-r1-abcdef0');
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.ImmutableConflict' });
      expect(await registry.resolve('release-r1-abcdef0')).toBe(first);
      expect(await registry.tagsOf(second)).toEqual([]);
    });

    it('moves an env- tag to the new digest when it is set on another digest', async () => {
      // Arrange
      const first = await fixture.pushImage('a');
      const second = await fixture.pushImage('b');
      await registry.tag(first, 'env-test');
      // Act
      const result = await registry.tag(second, 'env-test');
      // Assert
      expect(result).toEqual({ created: true });
      expect(await registry.resolve('env-test')).toBe(second);
      expect(await registry.tagsOf(first)).toEqual([]);
    });

    it('returns every tag of a digest in sorted order when several tags share it', async () => {
      // Arrange
      const digest = await fixture.pushImage('a');
      // Act
      await Promise.all([
        registry.tag(digest, 'release-r1-abcdef0'),
        registry.tag(digest, 'env-test'),
        registry.tag(digest, 'env-staging'),
      ]);
      // Assert
      expect(await registry.tagsOf(digest)).toEqual(['env-staging', 'env-test', 'release-r1-abcdef0']);
    });

    it('throws NotFound and tags nothing when the digest is not in the registry', async () => {
      // Act
      const attempt = registry.tag(ABSENT, 'release-r1-abcdef0');
      // Assert
      await expect(attempt).rejects.toMatchObject({ name: 'Tollgate.NotFound' });
      expect(await registry.resolve('release-r1-abcdef0')).toBeUndefined();
    });

    it('returns no tags when the digest is not in the registry', async () => {
      // Act + Assert
      expect(await registry.tagsOf(ABSENT)).toEqual([]);
    });

    it.each([
      ['is not sha256', 'md5:abc'],
      ['has uppercase hex', `sha256:${'A'.repeat(64)}`],
      ['is too short', 'sha256:abc'],
    ])('throws InvalidInput when the digest %s', async (_what, digest) => {
      // Act + Assert
      await expect(registry.tag(digest, 'release-r1-abcdef0')).rejects.toMatchObject({
        name: 'Tollgate.InvalidInput',
      });
      await expect(registry.tagsOf(digest)).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
    });

    it.each([
      ['is empty', ''],
      ['starts with a dash', '-release'],
      ['contains a slash', 'release/r1'],
      ['is longer than 128 characters', 'r'.repeat(129)],
    ])('throws InvalidInput and tags nothing when the tag %s', async (_what, tag) => {
      // Arrange
      const digest = await fixture.pushImage('a');
      // Act + Assert
      await expect(registry.tag(digest, tag)).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
      await expect(registry.resolve(tag)).rejects.toMatchObject({ name: 'Tollgate.InvalidInput' });
      expect(await registry.tagsOf(digest)).toEqual([]);
    });
  });
}
