import { App, Aspects } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadStackConfig } from './config-source.js';
import { TollgateStack } from './tollgate-stack.js';

/**
 * `npx cdk synth` entry. The stack is environment-agnostic (no account or region), so synth needs
 * no credentials and makes no context lookups.
 */
const app = new App();
const config = await loadStackConfig(process.cwd(), app.node.tryGetContext('config'));
new TollgateStack(app, app.node.tryGetContext('stackName') ?? 'Tollgate', {
  config,
  description: `Tollgate pipeline for ${String(config.name)}`,
});
Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
app.synth();
