import { describe, expect, it } from 'vitest';
import { parseTaskResource } from '../../../../../runtime/asl/task/task-resource.js';

describe('parseTaskResource', () => {
  it('classifies a Lambda function ARN', () => {
    // Act / Assert
    expect(parseTaskResource('arn:aws:lambda:us-east-1:123456789012:function:fn')).toEqual({
      kind: 'lambda-function',
      arn: 'arn:aws:lambda:us-east-1:123456789012:function:fn',
    });
  });

  it('splits an optimised integration into resourceType, resource and pattern', () => {
    // Act / Assert
    expect(parseTaskResource('arn:aws:states:::codebuild:startBuild.sync')).toMatchObject({
      kind: 'service',
      base: 'arn:aws:states:::codebuild:startBuild',
      resourceType: 'codebuild',
      resourceName: 'startBuild.sync',
      pattern: 'RUN_JOB',
    });
    expect(parseTaskResource('arn:aws:states:::lambda:invoke.waitForTaskToken')).toMatchObject({
      resourceType: 'lambda',
      resourceName: 'invoke.waitForTaskToken',
      pattern: 'WAIT_FOR_TASK_TOKEN',
    });
  });

  it('accepts aws-sdk integrations', () => {
    // Act / Assert
    expect(parseTaskResource('arn:aws:states:::aws-sdk:s3:getObject')).toMatchObject({
      resourceType: 'aws-sdk:s3',
      resourceName: 'getObject',
      pattern: 'REQUEST_RESPONSE',
    });
  });

  it('returns undefined for something that is not a task resource', () => {
    // Act / Assert
    expect(parseTaskResource('lambda')).toBeUndefined();
    expect(parseTaskResource('arn:aws:states:::lambda:invoke.later')).toBeUndefined();
  });
});
