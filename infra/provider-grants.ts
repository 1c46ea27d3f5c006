import { ArnFormat, type Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { TollgateConfig } from '../functions/shared/config/schema.js';
import { secretResourceArn } from './database-secrets.js';

/**
 * The identifier prefix of every cluster and instance the Aurora clone provider creates
 * (functions/shared/adapters/aws/aurora-clone-snapshot-provider.ts names them `tg-<env>-<hash>` and
 * `tg-<env>-<hash>-1`). Create and delete rights stop at this prefix.
 */
const AURORA_CLONE_PREFIX = 'tg-';

/** The resources the configured snapshot provider works on, as IAM resource ARNs. */
export type ProviderTargets =
  | { readonly type: 'none' }
  | { readonly type: 'flasharray'; readonly apiTokenSecretArn: string }
  | {
      readonly type: 'aurora-clone';
      readonly sourceClusterArn: string;
      readonly cloneClusterArn: string;
      readonly cloneInstanceArn: string;
      readonly anyClusterArn: string;
      readonly anySubnetGroupArn: string;
    };

/** No database, or the `local` provider (which only the local runtime runs): nothing to grant. */
export function providerTargets(stack: Stack, config: TollgateConfig): ProviderTargets {
  const provider = config.database?.provider;
  if (!provider || provider.type === 'local') return { type: 'none' };
  if (provider.type === 'flasharray') {
    return { type: 'flasharray', apiTokenSecretArn: secretResourceArn(stack, provider.apiTokenSecret) };
  }
  const rds = (resource: string, resourceName: string) =>
    stack.formatArn({ service: 'rds', resource, resourceName, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
  return {
    type: 'aurora-clone',
    sourceClusterArn: rds('cluster', provider.sourceClusterId),
    cloneClusterArn: rds('cluster', `${AURORA_CLONE_PREFIX}*`),
    cloneInstanceArn: rds('db', `${AURORA_CLONE_PREFIX}*`),
    anyClusterArn: rds('cluster', '*'),
    anySubnetGroupArn: rds('subgrp', '*'),
  };
}

/** Config mistakes that would make the provider's grants unsafe; one line each. */
export function providerProblems(config: TollgateConfig): string[] {
  const provider = config.database?.provider;
  if (provider?.type === 'aurora-clone' && provider.sourceClusterId.startsWith(AURORA_CLONE_PREFIX)) {
    return [
      `database.provider.sourceClusterId "${provider.sourceClusterId}" starts with "${AURORA_CLONE_PREFIX}", the ` +
        "prefix of Tollgate's disposable clones, which the refresh may delete; rename or choose another source",
    ];
  }
  return [];
}

const allow = (actions: string[], resources: string[]) => new iam.PolicyStatement({ actions, resources });

/**
 * `manage` is refresh-data (snapshot, clone, switch, garbage-collect); `read` is what resolving a
 * connection needs. FlashArray connections come from the connection secret alone, so reading needs
 * nothing from the array and its API token stays with refresh-data.
 */
export function providerStatements(
  use: 'manage' | 'read',
  provider: ProviderTargets,
  databaseSecretArns: readonly string[],
): iam.PolicyStatement[] {
  switch (provider.type) {
    case 'none':
      return [];
    case 'flasharray':
      return use === 'manage' ? [allow(['secretsmanager:GetSecretValue'], [provider.apiTokenSecretArn])] : [];
    case 'aurora-clone': {
      const clones = [provider.cloneClusterArn, provider.cloneInstanceArn];
      if (use === 'read') return [allow(['rds:DescribeDBClusters'], [provider.cloneClusterArn])];
      return [
        // A copy-on-write restore is authorized on the new cluster, the source and the subnet group
        // it is placed in (the source's, whose name is only known at run time).
        allow(
          ['rds:RestoreDBClusterToPointInTime'],
          [provider.cloneClusterArn, provider.sourceClusterArn, provider.anySubnetGroupArn],
        ),
        allow(['rds:CreateDBInstance'], [provider.cloneInstanceArn, provider.cloneClusterArn]),
        // RDS authorizes the tags passed to the restore as AddTagsToResource on the new cluster.
        allow(['rds:AddTagsToResource', 'rds:ListTagsForResource'], clones),
        allow(['rds:DeleteDBInstance'], [provider.cloneInstanceArn]),
        allow(['rds:DeleteDBCluster'], [provider.cloneClusterArn]),
        // Garbage collection lists every cluster (DescribeDBClusters without an identifier), which
        // IAM authorizes against cluster:*; it only returns metadata.
        allow(['rds:DescribeDBClusters'], [provider.anyClusterArn]),
        allow(['rds:DescribeDBInstances'], [provider.cloneInstanceArn]),
        // An overwrite points the environment's connection secret at the new clone.
        ...(databaseSecretArns.length
          ? [allow(['secretsmanager:PutSecretValue'], [...databaseSecretArns])]
          : []),
        // Belt and braces: whatever the prefix grants, the source cluster is never deleted.
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: ['rds:DeleteDBCluster', 'rds:ModifyDBCluster'],
          resources: [provider.sourceClusterArn],
        }),
      ];
    }
  }
}
