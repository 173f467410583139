import { App, Duration, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '#infra/app.ts';
import { AxisConnector, type AxisConnectorProps } from '#infra/constructs/axis-connector.ts';
import { makeConstructStack } from '#test/support/construct-stack.ts';

function makeStack(app: App, overrides: Partial<AxisConnectorProps> = {}) {
  const { stack, table, dataKey } = makeConstructStack(app, 'AxisTest');
  const secret = new Secret(stack, 'AxisSecret', { description: 'axis system secret' });
  Validations.of(secret).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The axis operator issues the system secret; it is replaced by hand when the operator ' +
      'issues a new one, so there is no rotation function to attach.',
  });
  const connector = new AxisConnector(stack, 'Axis', {
    stage: 'test',
    table,
    dataKey,
    secret,
    endpoint: 'https://axis.example.gov.vn/api/',
    systemId: 'edoc-hub-h48',
    organization: { id: '000.00.00.H48', name: 'UBND tỉnh Quảng Ngãi' },
    ...overrides,
  });
  return { stack, connector, table, secret };
}

let template: Template;
let made: ReturnType<typeof makeStack>;

beforeAll(() => {
  made = makeStack(new App(), { pollRate: Duration.minutes(2), maxReceiveCount: 4 });
  template = Template.fromStack(made.stack);
});

/** The statements of the role policy attached to one function's role. */
function statementsOf(
  logicalRolePrefix: string,
): { Action: string | string[]; Resource: unknown }[] {
  const policies = template.findResources('AWS::IAM::Policy');
  return Object.values(policies)
    .filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref.startsWith(logicalRolePrefix)),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const actionsOf = (prefix: string) => statementsOf(prefix).flatMap((s) => [s.Action].flat());

describe('axis connector', () => {
  it('encrypts the outbox and its DLQ, refuses plain HTTP and parks after maxReceiveCount', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(2);
    for (const queue of Object.values(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    }
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 4 }),
      VisibilityTimeout: 90 * 6,
    });
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy'));
    expect(policies).toHaveLength(2);
    for (const policy of policies) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });

  it('feeds the sender from the outbox with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AxisOutboxQueue'), 'Arn'] },
    });
  });

  it('polls on the configured rate, one run at a time, without retrying a missed tick', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(2 minutes)',
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 0 } })],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'axis-poller',
          // claims outlive a run (3 × the 5-minute timeout): only a crashed run's are taken over
          AXIS_LEASE_SECONDS: '900',
        }),
      },
      ReservedConcurrentExecutions: 1,
    });
  });

  it('gives both functions the axis configuration, the secret id and the extension layer', () => {
    for (const name of ['axis-sender', 'axis-poller']) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: name,
            AXIS_ENDPOINT: 'https://axis.example.gov.vn/api/',
            AXIS_SYSTEM_ID: 'edoc-hub-h48',
            AXIS_ORGAN_ID: '000.00.00.H48',
            AXIS_SECRET_ID: { Ref: Match.stringLikeRegexp('^AxisSecret') },
            PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED: 'true',
          }),
        },
        Layers: [Match.stringLikeRegexp('AWS-Parameters-and-Secrets-Lambda-Extension-Arm64')],
      });
    }
  });

  it('grants the sender reads of outbound packages and delivery updates, nothing more', () => {
    const actions = actionsOf('AxisSenderRole');
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:UpdateItem', 's3:GetObject']),
    );
    expect(actions).not.toContain('dynamodb:PutItem');
    expect(actions).not.toContain('s3:PutObject');
    expect(JSON.stringify(statementsOf('AxisSenderRole'))).toContain('axis/outbound/*');
    expect(JSON.stringify(statementsOf('AxisSenderRole'))).not.toContain('axis/inbound/');
  });

  it('grants the poller writes of inbound packages, claims and documents, and no queue access', () => {
    const actions = actionsOf('AxisPollerRole');
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        // a status message from the axis reads the deliveries of the document it names
        'dynamodb:Query',
        's3:PutObject',
      ]),
    );
    expect(actions).not.toContain('s3:GetObject');
    expect(actions.filter((a) => a.startsWith('sqs:'))).toEqual([]);
    expect(JSON.stringify(statementsOf('AxisPollerRole'))).toContain('axis/inbound/*');
  });

  it('lets each function read the axis secret and no other', () => {
    for (const role of ['AxisSenderRole', 'AxisPollerRole']) {
      const secretStatements = statementsOf(role).filter((s) =>
        [s.Action].flat().includes('secretsmanager:GetSecretValue'),
      );
      expect(secretStatements.map((s) => s.Resource)).toEqual([
        { Ref: expect.stringMatching(/^AxisSecret/) },
      ]);
    }
  });

  it('grants no wildcard actions', () => {
    for (const role of ['AxisSenderRole', 'AxisPollerRole']) {
      expect(actionsOf(role).filter((a) => a.includes('*'))).toEqual([]);
    }
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement justified', () => {
    const app = new App();
    makeStack(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });

  it('wires into the deployment stacks (as the report proposes) and still passes cdk-nag', () => {
    const app = new App({ context: { stage: 'axis', 'aws:cdk:bundling-stacks': [] } });
    const { stateful, stateless } = buildApp(app);
    const secret = new Secret(stateful, 'AxisSecret', { description: 'national axis secret' });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Issued by the axis operator and replaced by hand; no rotation function applies.',
    });
    new AxisConnector(stateless, 'AxisConnector', {
      stage: 'axis',
      table: stateful.table,
      dataKey: stateful.dataKey,
      secret,
      endpoint: 'https://axis.example.gov.vn/api/',
      systemId: 'edoc-hub-h48',
      organization: { id: '000.00.00.H48', name: 'UBND tỉnh Quảng Ngãi' },
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
    Template.fromStack(stateless).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ POWERTOOLS_SERVICE_NAME: 'axis-sender' }) },
    });
  });
});
