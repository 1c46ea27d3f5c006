/**
 * `tollgate/cdk`: the pipeline as a construct, for a team that adds Tollgate to its own CDK app
 * (`new TollgatePipeline(stack, 'Tollgate', { config })`). `tollgate deploy-stack` deploys the same
 * construct inside Tollgate's own app (`infra/app.ts`).
 */
export { TollgatePipeline } from './constructs/tollgate-pipeline.js';
export type { TollgatePipelineProps } from './constructs/tollgate-pipeline-props.js';
