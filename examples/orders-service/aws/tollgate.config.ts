import { defineConfig } from '../../../functions/shared/config/index.js';
import { database } from '../database.config.js';

/**
 * The same pipeline as ../tollgate.config.ts, shaped for an AWS account: the app runs as ECS
 * services, the build also produces a container image, test and staging are Aurora copy-on-write
 * clones of prod's cluster (masked before anything reads them), test runs the release's
 * integration suite in CodeBuild, and prod waits for an approver's IAM principal.
 * `npm run rehearse` synthesizes the stack from this file and runs it end to end against emulated
 * AWS; `npx cdk deploy -c config=examples/orders-service/aws/tollgate.config.ts`
 * deploys it.
 */
export default defineConfig({
  name: 'orders-service',
  database: {
    ...database,
    provider: { type: 'aurora-clone', sourceClusterId: 'orders-prod', instanceClass: 'db.serverless' },
  },
  source: { repository: 'orders-service', branches: ['main'] },
  build: {
    command: 'node scripts/build.mjs',
    artifact: 'dist/release.tgz',
    image: { repository: 'orders-service' },
  },
  environments: [
    {
      name: 'test',
      deploy: { type: 'ecs', cluster: 'orders', service: 'orders-test', containerName: 'app' },
      url: 'http://orders-test.internal.example',
      pollInterval: '5s',
      database: { refresh: true },
      // The release's integration suite, as locally, in a build of the <name>-tests CodeBuild
      // project (with aws.network, inside the VPC). Kept short: every function's variables carry
      // this config, and Lambda allows 4 KB of them.
      tests: [{ name: 'integration', run: 'npm run test:integration', junit: 'reports/*.xml' }],
    },
    {
      name: 'staging',
      deploy: { type: 'ecs', cluster: 'orders', service: 'orders-staging', containerName: 'app' },
      url: 'http://orders-staging.internal.example',
      pollInterval: '5s',
      database: { refresh: true },
    },
    {
      name: 'prod',
      deploy: { type: 'ecs', cluster: 'orders', service: 'orders-prod', containerName: 'app' },
      url: 'http://orders.internal.example',
      pollInterval: '5s',
      database: {},
      approval: { approvers: ['arn:aws:iam::123456789012:role/release-managers'], timeout: '24h' },
    },
  ],
  // The defaults (status 200, 5 s timeout, 2 retries) left out: the config travels in every
  // function's 4 KB of variables.
  smokeTests: [
    { name: 'health', path: '/health', expectBody: '"ok"' },
    { name: 'version', path: '/version', expectBody: '"digest":"sha256:' },
  ],
  concurrency: 'queued',
  aws: {
    // Secrets Manager ids of each environment's connection secret (RDS secret JSON); with
    // aurora-clone, a refresh points test's and staging's at their new clone.
    databaseSecrets: {
      test: 'orders-service/test-db',
      staging: 'orders-service/staging-db',
      prod: 'orders-service/prod-db',
    },
  },
});
