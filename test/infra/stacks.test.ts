import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LOGIN_PORT } from '#cli/login.ts';
import { buildApp } from '#infra/app.ts';
import { CLI_LOGIN_PORT } from '#infra/stateful-stack.ts';

let stateful: Template;
let stateless: Template;

beforeAll(() => {
  const app = new App({ context: { stage: 'test', 'aws:cdk:bundling-stacks': [] } });
  const stacks = buildApp(app);
  stateful = Template.fromStack(stacks.stateful);
  stateless = Template.fromStack(stacks.stateless);
});

describe('stateful stack', () => {
  it('locks the archive bucket in compliance mode', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockEnabled: true,
      ObjectLockConfiguration: {
        ObjectLockEnabled: 'Enabled',
        Rule: { DefaultRetention: Match.objectLike({ Mode: 'COMPLIANCE' }) },
      },
      VersioningConfiguration: { Status: 'Enabled' },
    });
  });

  it('blocks public access on every bucket', () => {
    const buckets = stateful.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets).length).toBeGreaterThanOrEqual(3);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('sends failed ingest messages to a dead-letter queue after five receives', () => {
    stateful.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
      VisibilityTimeout: 360,
    });
  });

  it('keeps the status table recoverable and undeletable', () => {
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      Replicas: [
        Match.objectLike({
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          DeletionProtectionEnabled: true,
        }),
      ],
    });
  });
});

describe('stateless stack', () => {
  it('runs every function on Node.js 22 on ARM64 with tracing', () => {
    const functions = stateless.findResources('AWS::Lambda::Function');
    // CDK's own deploy-time handlers (the console's BucketDeployment: Python) are not ours.
    const own = Object.values(functions).filter(
      (f) => f.Properties.Environment?.Variables?.POWERTOOLS_SERVICE_NAME !== undefined,
    );
    expect(own.length).toBeGreaterThan(0);
    for (const fn of own) {
      expect(fn.Properties.Runtime).toBe('nodejs22.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    }
  });

  it('consumes the ingest queue with partial batch failure reporting', () => {
    stateless.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 10 },
    });
  });

  it('raises an alarm to the encrypted alarm topic when any dead-letter queue holds a message', () => {
    const dlqs = Object.keys(stateful.findResources('AWS::SQS::Queue')).filter((id) =>
      id.includes('DeadLetterQueue'),
    );
    expect(dlqs).toHaveLength(3);
    const alarms = Object.values(stateful.findResources('AWS::CloudWatch::Alarm'));
    const watched = alarms.map(
      (a) => a.Properties.Dimensions?.[0]?.Value?.['Fn::GetAtt']?.[0] as string | undefined,
    );
    expect(watched.sort()).toEqual([...dlqs].sort());
    for (const alarm of alarms) {
      expect(alarm.Properties).toMatchObject({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
      expect(alarm.Properties.AlarmActions[0].Ref).toMatch(/^AlarmTopic/);
    }
    stateful.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('chains verify, countersign and route through their own queues, one function each', () => {
    const mappings = Object.values(stateless.findResources('AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(3);
    for (const m of mappings) {
      expect(m.Properties.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
    }
  });

  it('lets only the countersign function sign with keys in service; the API only with keys still pending (for their CSR)', () => {
    const statements = Object.entries(stateless.findResources('AWS::IAM::Policy')).flatMap(
      ([id, p]) =>
        (p.Properties.PolicyDocument.Statement as Record<string, unknown>[]).map((st) => ({
          id,
          st,
        })),
    );
    const signing = statements.filter(({ st }) =>
      [st['Action']].flat().some((a) => a === 'kms:Sign'),
    );
    expect(signing.length).toBeGreaterThan(0);
    for (const { id, st } of signing) {
      if (id.startsWith('CountersignDocument')) {
        // Either the stack's own keys by ARN, or provisioned keys by tag once installed.
        if (JSON.stringify(st['Resource']).includes(':key/*')) {
          expect(JSON.stringify(st['Condition'])).toContain(
            '"aws:ResourceTag/edoc-hub:state":"active"',
          );
        }
        continue;
      }
      // Any other signer is the API, and only on keys tagged pending: provisioned, not installed.
      expect(id).toMatch(/^DocumentApi/);
      expect(JSON.stringify(st['Condition'])).toContain(
        '"aws:ResourceTag/edoc-hub:state":"pending"',
      );
    }
    expect(signing.map(({ id }) => id)).toContainEqual(
      expect.stringMatching(/^CountersignDocument/),
    );
  });

  it('lets every pipeline function read the installed agency keys (REF#AGENCYKEY) with the edits', () => {
    const queries = (prefix: string) =>
      Object.entries(stateless.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith(prefix))
        .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[])
        .filter((st) => [st['Action']].flat().includes('dynamodb:Query'));
    const leadingKeys = (st: Record<string, unknown>) =>
      JSON.stringify(st['Condition'] ?? null).match(/"dynamodb:LeadingKeys":(\[[^\]]*\])/)?.[1];

    for (const fn of ['VerifyDocument', 'CountersignDocument']) {
      const keys = queries(fn).map(leadingKeys);
      expect(keys, fn).toContainEqual(expect.stringContaining('"REF#AGENCYKEY"'));
      expect(keys, fn).toContainEqual(expect.stringContaining('"REF#AGENCY"'));
    }
    // The route step queries the whole table (deliveries, reference data alike).
    expect(queries('RouteDocument').some((st) => st['Condition'] === undefined)).toBe(true);
  });

  it('deploys config/trust next to the verify function and the API (which checks installed certificates), and to no other function', () => {
    // The console's vite build is tested in web-console.test.ts.
    const app = new App({ context: { stage: 'assets', webConsole: false } });
    const { stateless } = buildApp(app);
    const assembly = app.synth();
    const verifyCode = Template.fromStack(stateless).findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'verify-document' } } },
    });
    const apiCode = Template.fromStack(stateless).findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { POWERTOOLS_SERVICE_NAME: 'documents-api' } } },
    });
    const assetOf = (fn: Record<string, { Code?: { S3Key?: string } }> | undefined) =>
      `asset.${fn?.['Properties']?.Code?.S3Key?.replace('.zip', '')}`;
    const withTrust = readdirSync(assembly.directory)
      .filter((d) => d.startsWith('asset.'))
      .filter((d) => existsSync(path.join(assembly.directory, d, 'trust', 'README.md')));
    expect(withTrust.sort()).toEqual(
      [assetOf(Object.values(verifyCode)[0]), assetOf(Object.values(apiCode)[0])].sort(),
    );
    expect(readdirSync(path.join(assembly.directory, withTrust[0] ?? '', 'trust')).sort()).toEqual([
      'README.md',
      'anchors',
      'crls',
      'intermediates',
    ]);
  }, 120_000); // bundles every function with esbuild: slow on a loaded machine

  it('alarms on every function error, stuck work queue and failed rollout, and has a dashboard', () => {
    const alarms = Object.values(stateless.findResources('AWS::CloudWatch::Alarm'));
    const metrics = alarms.map((a) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    const functions = Object.values(stateless.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Handler === 'index.handler',
    );
    // The three pipeline steps and the API (the axis functions only when the axis is configured).
    expect(metrics.filter((m) => m === 'AWS/Lambda/Errors')).toHaveLength(4);
    expect(functions.length).toBeGreaterThanOrEqual(3);
    expect(metrics.filter((m) => m === 'AWS/SQS/ApproximateAgeOfOldestMessage')).toHaveLength(3);
    expect(metrics).toContain('AWS/States/ExecutionsFailed');
    stateless.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('expires working copies of uploads but never touches the archive', () => {
    stateful.hasResourceProperties('AWS::S3::Bucket', {
      BucketName: Match.objectLike({
        'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('incoming')])]),
      }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'incoming/', ExpirationInDays: 30, Status: 'Enabled' }),
        ]),
      },
    });
    const archive = Object.values(stateful.findResources('AWS::S3::Bucket')).find(
      (b) => b.Properties.ObjectLockEnabled === true,
    );
    expect(archive?.Properties.LifecycleConfiguration).toBeUndefined();
  });
  it('has a CLI app client for edoc login (code flow, loopback callback) whose tokens the API accepts', () => {
    expect(DEFAULT_LOGIN_PORT).toBe(CLI_LOGIN_PORT);
    const clients = stateful.findResources('AWS::Cognito::UserPoolClient', {
      Properties: { CallbackURLs: [`http://localhost:${CLI_LOGIN_PORT}/callback`] },
    });
    const [id, client] = Object.entries(clients)[0] ?? [];
    expect(client?.Properties).toMatchObject({
      AllowedOAuthFlows: ['code'],
      GenerateSecret: false,
    });
    const authorizers = Object.values(stateless.findResources('AWS::ApiGatewayV2::Authorizer'));
    expect(JSON.stringify(authorizers)).toContain(String(id));
  });
});
