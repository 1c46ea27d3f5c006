/**
 * The source the pipeline builds from (a git working copy locally, CodeCommit on AWS). Asked before
 * a run takes the lock, so an event naming a commit that does not exist becomes a recorded skip and
 * never supersedes, queues behind or cancels a real run.
 */
export interface SourceRepository {
  /** Whether `commit` (a full commit id) is a commit of `repository`. */
  commitExists(repository: string, commit: string): Promise<boolean>;
}
