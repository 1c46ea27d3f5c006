import { randomUUID } from 'node:crypto';
import {
  BatchGetBuildsCommand,
  type Build,
  StartBuildCommand,
  type StartBuildCommandInput,
} from '@aws-sdk/client-codebuild';
import type { AwsStub } from 'aws-sdk-client-mock';

// biome-ignore lint/suspicious/noExplicitAny: aws-sdk-client-mock's stub is generic over every input/output
type CodeBuildStub = AwsStub<any, any, any>;

/**
 * CodeBuild's API as a test-stage runner uses it, stateful: StartBuild (the same build again for a
 * known idempotencyToken, as CodeBuild answers within its 5 minutes) and BatchGetBuilds (unknown
 * ids in buildsNotFound). A test moves a build on by editing `builds`. moto 5.2's CodeBuild cannot
 * stand in: it answers timestamps as ISO strings where the API (and the SDK) use epoch seconds.
 */
export class FakeCodeBuild {
  readonly builds = new Map<string, Build>();
  readonly started: StartBuildCommandInput[] = [];
  private readonly byToken = new Map<string, string>();

  install(stub: CodeBuildStub): this {
    stub.on(StartBuildCommand).callsFake(async (input: StartBuildCommandInput) => {
      this.started.push(input);
      const known = input.idempotencyToken ? this.byToken.get(input.idempotencyToken) : undefined;
      if (known) return { build: this.builds.get(known) };
      const id = `${input.projectName}:${randomUUID()}`;
      this.builds.set(id, { id, buildStatus: 'IN_PROGRESS', phases: [] });
      if (input.idempotencyToken) this.byToken.set(input.idempotencyToken, id);
      return { build: this.builds.get(id) };
    });
    stub.on(BatchGetBuildsCommand).callsFake(async ({ ids }: { ids: string[] }) => ({
      builds: ids.flatMap((id) => (this.builds.has(id) ? [this.builds.get(id)!] : [])),
      buildsNotFound: ids.filter((id) => !this.builds.has(id)),
    }));
    return this;
  }
}
