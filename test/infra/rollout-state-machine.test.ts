import { App, Aws, CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { RolloutStateMachine } from '#infra/constructs/rollout-state-machine.ts';
import { bucketName, statusTable } from '#infra/definitions.ts';
import { stateMachineDefinition } from '#test/support/state-machine-definition.ts';

interface Fixture {
  app: App;
  stack: Stack;
  rollout: RolloutStateMachine;
}

/** The status table and its key in a stateful stack; the construct in a stateless one. */
function makeFixture(options: { alarmTopic: boolean }): Fixture {
  const app = new App();
  const stateful = new Stack(app, 'Stateful');
  const key = new Key(stateful, 'DataKey', { enableKeyRotation: true });
  const table = new TableV2(stateful, 'Status', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    globalSecondaryIndexes: statusTable.indexes.map((index) => ({
      indexName: index.indexName,
      partitionKey: { name: index.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: index.sortKey.name, type: AttributeType.STRING },
    })),
  });
  const stack = new Stack(app, 'Stateless');
  const reportsBucket = Bucket.fromBucketName(
    stack,
    'ReportsBucket',
    bucketName('test', 'reports', Aws.ACCOUNT_ID, Aws.REGION),
  );
  const alarmTopic = options.alarmTopic
    ? new Topic(stack, 'Alarms', {
        enforceSSL: true,
        masterKey: new Key(stack, 'AlarmKey', { enableKeyRotation: true }),
      })
    : undefined;
  const rollout = new RolloutStateMachine(stack, 'Rollout', {
    table,
    reportsBucket,
    reportsKey: key,
    ...(alarmTopic ? { alarmTopic } : {}),
  });
  return { app, stack, rollout };
}

const logicalId = (stack: Stack, construct: IConstruct | undefined): string => {
  const resource = construct?.node.defaultChild ?? construct;
  if (!(resource instanceof CfnElement)) throw new Error('not a CloudFormation resource');
  return stack.getLogicalId(resource);
};

interface Statement {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every statement of the policies attached to one role. */
function statementsOf(template: Template, roleId: string): Statement[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as Statement[]);
}

/** Actions beyond the logging and tracing every AppFunction has. */
function ownActions(template: Template, stack: Stack, fn: { role?: IConstruct }): string[] {
  return statementsOf(template, logicalId(stack, fn.role))
    .flatMap((s) => [s.Action].flat())
    .filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))
    .sort();
}

let withTopic: Fixture;
let template: Template;

beforeAll(() => {
  withTopic = makeFixture({ alarmTopic: true });
  template = Template.fromStack(withTopic.stack);
});

describe('RolloutStateMachine', () => {
  it('logs every event type without execution data and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({
        Level: 'ALL',
        IncludeExecutionData: false,
        Destinations: [
          {
            CloudWatchLogsLogGroup: {
              LogGroupArn: Match.objectLike({ 'Fn::GetAtt': Match.anyValue() }),
            },
          },
        ],
      }),
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: Match.stringLikeRegexp('^/aws/vendedlogs/states/'),
      RetentionInDays: 90,
    });
  });

  it('runs the phases one at a time, in a JSONPath Map over $.phases', () => {
    const definition = stateMachineDefinition(template);
    // JSONata is silently ignored by aws-local-stepfunctions: the definition must not use it.
    expect(JSON.stringify(definition)).not.toContain('JSONata');
    expect(definition.States['Phases']).toMatchObject({
      Type: 'Map',
      ItemsPath: '$.phases',
      MaxConcurrency: 1,
    });
  });

  it('waits for the approval with a task token and a timeout', () => {
    const definition = stateMachineDefinition(template);
    const phases = definition.States['Phases'];
    const states = phases && 'ItemProcessor' in phases ? phases.ItemProcessor?.States : undefined;
    expect(states?.['RequestApproval']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      TimeoutSeconds: 30 * 24 * 3600,
      Parameters: { Payload: { 'taskToken.$': '$$.Task.Token' } },
    });
    expect(states?.['WaitForPhaseStart']).toMatchObject({ TimestampPath: '$.startAt' });
    expect(states?.['WaitForPhaseEnd']).toMatchObject({ TimestampPath: '$.endAt' });
    expect(states?.['WaitForExtension']).toMatchObject({
      SecondsPath: '$.onReject.extensionSeconds',
    });
    for (const task of ['ApplyPolicy', 'GenerateReport', 'RequestApproval']) {
      expect(states?.[task], task).toMatchObject({
        Retry: [{ ErrorEquals: expect.arrayContaining(['Lambda.ServiceException']) }],
        Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyFailure' }],
      });
    }
    expect(states?.['NotifyFailure']).toMatchObject({
      Type: 'Task',
      Resource: 'arn:aws:states:::sns:publish',
      Next: 'RolloutFailed',
    });
  });

  it('lets apply-policy put only ROLLOUT#POLICY items', () => {
    const { stack, rollout } = withTopic;
    expect(ownActions(template, stack, rollout.applyPolicyFunction)).toEqual(['dynamodb:PutItem']);
    const put = statementsOf(template, logicalId(stack, rollout.applyPolicyFunction.role)).find(
      (s) => s.Action === 'dynamodb:PutItem',
    );
    expect(put?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['ROLLOUT#POLICY'] },
    });
  });

  it('lets approval-request put only ROLLOUT#APPROVAL items', () => {
    const { stack, rollout } = withTopic;
    expect(ownActions(template, stack, rollout.approvalRequestFunction)).toEqual([
      'dynamodb:PutItem',
    ]);
    const put = statementsOf(template, logicalId(stack, rollout.approvalRequestFunction.role)).find(
      (s) => s.Action === 'dynamodb:PutItem',
    );
    expect(put?.Condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['ROLLOUT#APPROVAL'] },
    });
  });

  it('lets the report read the table and write only under reports/', () => {
    const { stack, rollout } = withTopic;
    expect(ownActions(template, stack, rollout.reportFunction)).toEqual([
      'dynamodb:Query',
      'dynamodb:Scan',
      'kms:GenerateDataKey',
      's3:PutObject',
    ]);
    const put = statementsOf(template, logicalId(stack, rollout.reportFunction.role)).find(
      (s) => s.Action === 's3:PutObject',
    );
    expect(JSON.stringify(put?.Resource)).toMatch(/:s3:::edoc-test-reports-.*\/reports\/\*"/);
  });

  it('tells each function its table and bucket', () => {
    const { stack, rollout } = withTopic;
    template.hasResource('AWS::Lambda::Function', {
      Properties: Match.objectLike({
        Environment: {
          Variables: Match.objectLike({
            TABLE_NAME: Match.anyValue(),
            ISSUER_INDEX: 'byIssuer',
            REPORTS_BUCKET: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
          }),
        },
      }),
    });
    expect(logicalId(stack, rollout.reportFunction)).toMatch(/^RolloutReportFunction/);
  });

  it('lets the state machine publish to the alarm topic and use its key', () => {
    const { stack, rollout } = withTopic;
    const actions = statementsOf(template, logicalId(stack, rollout.stateMachine.role))
      .flatMap((s) => [s.Action].flat())
      .filter((a) => a.startsWith('sns:') || a.startsWith('kms:'))
      .sort();
    expect(actions).toEqual(['kms:Decrypt', 'kms:GenerateDataKey', 'sns:Publish']);
  });

  it('falls back to a Pass state when no alarm topic is given', () => {
    const { stack } = makeFixture({ alarmTopic: false });
    const definition = stateMachineDefinition(Template.fromStack(stack));
    const phases = definition.States['Phases'];
    const states = phases && 'ItemProcessor' in phases ? phases.ItemProcessor?.States : undefined;
    expect(states?.['NotifyFailure']).toMatchObject({ Type: 'Pass', Next: 'RolloutFailed' });
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement justified', () => {
    const { app } = makeFixture({ alarmTopic: true });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
