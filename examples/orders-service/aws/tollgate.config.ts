import { defineConfig } from '../../../functions/shared/config/index.js';
import { database } from '../database.config.js';

/**
 * The same pipeline as ../tollgate.config.ts, shaped for an AWS account: the app runs as ECS
 * services, the build also produces a container image, test and staging are Aurora copy-on-write
 * clones of prod's cluster (masked before anything reads them), test runs the release's
 * integration suite in CodeBuild, prod waits for an approver's IAM principal, and a release that
 * replaces another in prod runs as a canary behind the ALB first.
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
      // project (with aws.network, inside the VPC).
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
      deploy: {
        type: 'ecs',
        cluster: 'orders',
        service: 'orders-prod',
        containerName: 'app',
        // A canary release runs on a second service (0 tasks between canaries, its own target
        // group) while the ALB listener rule's weights move prod's traffic to it step by step.
        canary: {
          service: 'orders-prod-canary',
          listenerRuleArn:
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/orders/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee',
          targetGroupArn:
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-prod-canary/73e2d6bc24d8a067',
          baselineTargetGroupArn:
            'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders-prod/1aa2d6bc24d8a068',
        },
      },
      // 10 % then 50 % of prod's requests, a minute each, judged on the target groups' 5xx rate.
      strategy: {
        type: 'canary',
        steps: [10, 50],
        analysis: [{ source: 'requests', metric: 'error-rate', max: 0.05 }],
      },
      url: 'http://orders.internal.example',
      pollInterval: '5s',
      database: {},
      approval: { approvers: ['arn:aws:iam::123456789012:role/release-managers'], timeout: '24h' },
    },
  ],
  // Status 200, a 5 s timeout and 2 retries are the defaults.
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
