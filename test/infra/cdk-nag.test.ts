import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  AURORA_SECRETS,
  auroraConfigInput,
  type BuiltStack,
  buildNetworkedStack,
  buildStack,
  ecsConfigInput,
  flashArrayConfigInput,
} from './stack-fixture.js';

// biome-ignore lint/suspicious/noExplicitAny: CloudFormation template JSON is untyped
type Json = Record<string, any>;

const exampleLike = ecsConfigInput({
  build: { command: 'node scripts/build.mjs', artifact: 'dist/release.tgz' },
  environments: [{ name: 'test', deploy: { type: 'process', command: 'node src/server.mjs', port: 4701 } }],
});

describe('TollgateStack under cdk-nag AwsSolutionsChecks', () => {
  it.each<[string, () => BuiltStack]>([
    ['an ECS config with an image', () => buildStack()],
    [
      'a process-only config without an image or webhook',
      () => buildStack(exampleLike, { githubWebhook: false }),
    ],
    [
      'an Aurora clone config with the data functions in a VPC',
      () => buildNetworkedStack(auroraConfigInput(), { databaseSecrets: AURORA_SECRETS }),
    ],
    ['a FlashArray config', () => buildStack(flashArrayConfigInput(), { databaseSecrets: AURORA_SECRETS })],
  ])('returns zero unsuppressed findings for %s', (_, build) => {
    // Act
    const { stack } = build();

    // Assert
    const errors = Annotations.fromStack(stack).findError('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('AwsSolutions-.*'));
    expect(errors.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 160)}`)).toEqual([]);
    expect(warnings.map((e) => `${e.id}: ${String(e.entry.data).slice(0, 160)}`)).toEqual([]);
  });

  it('returns a specific reason on every suppression', () => {
    // Arrange: the stack with the most suppressions (VPC functions, RDS clone grants)
    const { template } = buildNetworkedStack(auroraConfigInput(), { databaseSecrets: AURORA_SECRETS });

    // Act
    const suppressions = Object.values(template.toJSON().Resources as Record<string, Json>).flatMap(
      (r) => (r.Metadata?.cdk_nag?.rules_to_suppress ?? []) as Json[],
    );

    // Assert
    expect(suppressions.length).toBeGreaterThan(0);
    for (const s of suppressions) {
      expect(s.reason.length, `${s.id} needs a real reason`).toBeGreaterThan(40);
      if (s.id === 'AwsSolutions-IAM5')
        expect(s.applies_to, 'IAM5 must be narrowed with appliesTo').toBeDefined();
    }
  });
});
