import { App, Aws, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentApi, type DocumentApiProps } from '#infra/constructs/document-api.ts';
import { bucketName } from '#infra/definitions.ts';
import { API_OPERATIONS } from '#shared/documents/api-contract.ts';
import { makeConstructStack } from '#test/support/construct-stack.ts';

const ISSUER_URL = 'https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_example';
const STATE_MACHINE_ARN =
  'arn:aws:states:ap-southeast-1:111122223333:stateMachine:RolloutStateMachine';

function makeStack(app: App, overrides: Partial<DocumentApiProps> = {}) {
  const { stack, table, dataKey } = makeConstructStack(app, 'DocumentApiTest');
  const logs = new Bucket(stack, 'AccessLogBucket', {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.S3_MANAGED,
    versioned: true,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new Bucket(stack, 'IncomingBucket', {
    bucketName: bucketName('test', 'incoming', Aws.ACCOUNT_ID, Aws.REGION),
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    enforceSSL: true,
    encryption: BucketEncryption.KMS,
    encryptionKey: dataKey,
    bucketKeyEnabled: true,
    versioned: true,
    serverAccessLogsBucket: logs,
  });
  const documentApi = new DocumentApi(stack, 'Documents', {
    stage: 'test',
    table,
    dataKey,
    jwtIssuer: ISSUER_URL,
    jwtAudience: ['agency-portal'],
    corsOrigins: ['https://edoc.quangngai.gov.vn'],
    maxUploadBytes: 20 * 1024 * 1024,
    ...overrides,
  });
  return { stack, documentApi };
}

const REPORTS_BUCKET = 'edoc-test-reports-111122223333-ap-southeast-1';
const PUBLIC_ROUTES = ['GET /openapi.json', 'GET /health'];

let template: Template;
let withRollout: Template;
let withReports: Template;

beforeAll(() => {
  template = Template.fromStack(makeStack(new App()).stack);
  withRollout = Template.fromStack(
    makeStack(new App(), { stateMachineArn: STATE_MACHINE_ARN }).stack,
  );
  withReports = Template.fromStack(
    makeStack(new App(), { reportsBucketName: REPORTS_BUCKET }).stack,
  );
});

function handlerStatements(from: Template = template): {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}[] {
  return Object.values(from.findResources('AWS::IAM::Policy'))
    .filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) =>
        r.Ref.startsWith('DocumentsHandlerRole'),
      ),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const handlerActions = (from: Template = template) =>
  handlerStatements(from).flatMap((s) => [s.Action].flat());

describe('document API', () => {
  it('guards every route of the contract with the JWT authorizer, except the API description and /health', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER_URL, Audience: ['agency-portal'] },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties,
    );
    expect(routes.map((r) => r.RouteKey).sort()).toEqual(
      API_OPERATIONS.map((op) => `${op.method} ${op.path}`).sort(),
    );
    expect(routes.map((r) => r.RouteKey)).toEqual(
      expect.arrayContaining(['GET /documents/{id}', 'POST /admin/approvals/{phaseId}']),
    );
    for (const route of routes.filter((r) => !PUBLIC_ROUTES.includes(r.RouteKey))) {
      expect(route, route.RouteKey).toMatchObject({
        AuthorizationType: 'JWT',
        AuthorizerId: { Ref: expect.stringMatching(/^DocumentsApiAgencyJwt/) },
      });
    }
    for (const key of PUBLIC_ROUTES) {
      const open = routes.find((r) => r.RouteKey === key);
      expect(open, key).toBeDefined();
      expect(open?.AuthorizationType ?? 'NONE', key).toBe('NONE');
      expect(open?.AuthorizerId, key).toBeUndefined();
    }
  });

  it('logs every request of the stage to its own log group and throttles the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DocumentsAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 365 });
  });

  it('allows the configured browser origin only', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['https://edoc.quangngai.gov.vn'],
        AllowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
      }),
    });
  });

  it('configures the function with the table, the stage bucket name and the upload limit', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'documents-api',
          TABLE_NAME: { Ref: Match.stringLikeRegexp('^Table') },
          INCOMING_BUCKET: {
            'Fn::Join': [
              '',
              ['edoc-test-incoming-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }],
            ],
          },
          MAX_UPLOAD_BYTES: String(20 * 1024 * 1024),
        }),
      },
    });
  });

  it('grants item access on the API partitions, queries on the two list indexes, and a read-only scan for statistics', () => {
    const table = handlerStatements().filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
    );
    const tableArn = { 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] };
    const indexArn = (name: string) => ({
      'Fn::Join': ['', [tableArn, `/index/${name}`]],
    });
    expect(table).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: tableArn,
        Condition: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': [
              'DOC#*',
              'NUMBER#*',
              'AUDIT#*',
              'ROLLOUT#POLICY',
              'REF#AGENCY',
              'REF#DOCTYPE',
            ],
          },
        },
      }),
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: tableArn,
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['REF#AGENCY', 'REF#DOCTYPE'] },
        },
      }),
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
        Resource: tableArn,
        Condition: {
          'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['REF#AGENCYKEY'] },
        },
      }),
      expect.objectContaining({
        Action: ['dynamodb:Query', 'dynamodb:UpdateItem'],
        Resource: tableArn,
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['DOC#*'] } },
      }),
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: [indexArn('byIssuer'), indexArn('byRecipient')],
      }),
      expect.objectContaining({ Action: 'dynamodb:Scan', Resource: tableArn }),
    ]);
    const writes = handlerStatements().filter((s) =>
      [s.Action].flat().some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)),
    );
    expect(writes.every((s) => s.Condition !== undefined)).toBe(true);
  });

  it('without a reports bucket, neither names one nor grants any access to reports', () => {
    expect(JSON.stringify(handlerStatements())).not.toContain('reports');
    expect(handlerActions()).not.toContain('s3:ListBucket');
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables ?? {})
      .find((v) => v.POWERTOOLS_SERVICE_NAME === 'documents-api');
    expect(variables).not.toHaveProperty('REPORTS_BUCKET');
  });

  it('with a reports bucket, may list and read objects under reports/ only', () => {
    withReports.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ REPORTS_BUCKET }) },
    });
    const statements = handlerStatements(withReports);
    const bucketArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${REPORTS_BUCKET}`]],
    };
    const objectsArn = {
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:s3:::${REPORTS_BUCKET}/reports/*`]],
    };
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 's3:ListBucket',
          Resource: bucketArn,
          Condition: { StringLike: { 's3:prefix': ['reports/*'] } },
        }),
        expect.objectContaining({ Action: 's3:GetObject', Resource: objectsArn }),
      ]),
    );
    const onReports = statements.filter((s) => JSON.stringify(s.Resource).includes(REPORTS_BUCKET));
    expect(onReports.flatMap((s) => [s.Action].flat()).sort()).toEqual([
      's3:GetObject',
      's3:ListBucket',
    ]);
  });

  it('without a state machine, grants neither the approval items nor Step Functions', () => {
    expect(JSON.stringify(handlerStatements())).not.toContain('ROLLOUT#APPROVAL');
    expect(handlerActions().filter((a) => a.startsWith('states:'))).toEqual([]);
    const variables = Object.values(template.findResources('AWS::Lambda::Function'))
      .map((f) => f.Properties.Environment?.Variables ?? {})
      .find((v) => v.POWERTOOLS_SERVICE_NAME === 'documents-api');
    expect(variables).not.toHaveProperty('STATE_MACHINE_ARN');
  });

  it('with a state machine, may answer its tasks and decide the approval items only', () => {
    const statements = handlerStatements(withRollout);
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Action: 'states:SendTaskSuccess',
          Resource: STATE_MACHINE_ARN,
        }),
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
          Condition: {
            'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['ROLLOUT#APPROVAL'] },
          },
        }),
      ]),
    );
    expect(handlerActions(withRollout)).not.toContain('states:SendTaskFailure');
    withRollout.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          STATE_MACHINE_ARN,
          ISSUER_INDEX: 'byIssuer',
          RECIPIENT_INDEX: 'byRecipient',
        }),
      },
    });
  });

  it('lets the function sign uploads to incoming/*, links to countersigned/* and store chains under certificates/*, nothing else', () => {
    const actions = handlerActions();
    expect(actions).toContain('s3:PutObject');
    expect(actions).toContain('kms:GenerateDataKey');
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    const put = handlerStatements().filter((s) => [s.Action].flat().includes('s3:PutObject'));
    const putResources = put.map((s) => JSON.stringify(s.Resource)).sort();
    expect(putResources).toEqual([
      expect.stringMatching(/-incoming-.*\/certificates\/\*"/),
      expect.stringMatching(/-incoming-.*\/incoming\/\*"/),
    ]);
    const get = handlerStatements().filter((s) => [s.Action].flat().includes('s3:GetObject'));
    expect(get).toHaveLength(1);
    expect([get[0]?.Action].flat()).toEqual(['s3:GetObject']);
    expect(JSON.stringify(get[0]?.Resource)).toMatch(/-incoming-.*\/countersigned\/\*"/);
    for (const action of ['kms:GenerateDataKey', 'kms:Decrypt']) {
      const kms = handlerStatements().find((s) => [s.Action].flat().includes(action));
      expect(kms?.Resource, action).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'],
      });
    }
  });

  it('tags the organization keys it creates: RSA_3072 signing keys of its stage, pending', () => {
    const create = handlerStatements().filter((s) => [s.Action].flat().includes('kms:CreateKey'));
    expect(create).toEqual([
      {
        Effect: 'Allow',
        Action: 'kms:CreateKey',
        Resource: '*',
        Condition: {
          StringEquals: {
            'kms:KeySpec': 'RSA_3072',
            'kms:KeyUsage': 'SIGN_VERIFY',
            'kms:KeyOrigin': 'AWS_KMS',
            'aws:RequestTag/edoc-hub:stage': 'test',
            'aws:RequestTag/edoc-hub:state': 'pending',
          },
          'ForAllValues:StringEquals': {
            'aws:TagKeys': ['edoc-hub:agency', 'edoc-hub:stage', 'edoc-hub:state'],
          },
          Null: { 'aws:RequestTag/edoc-hub:agency': 'false' },
        },
      },
    ]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ KEY_STAGE: 'test' }) },
    });
  });

  it('may tag a key only as it creates it (pending) or to put it in service (active)', () => {
    const tag = handlerStatements().filter((s) => [s.Action].flat().includes('kms:TagResource'));
    expect(tag).toHaveLength(2);
    expect(tag.every((s) => [s.Action].flat().length === 1)).toBe(true);
    expect(tag[0]?.Condition).toEqual({
      StringEquals: {
        'aws:RequestTag/edoc-hub:stage': 'test',
        'aws:RequestTag/edoc-hub:state': 'pending',
      },
      'ForAllValues:StringEquals': {
        'aws:TagKeys': ['edoc-hub:agency', 'edoc-hub:stage', 'edoc-hub:state'],
      },
      Null: { 'aws:ResourceTag/edoc-hub:stage': 'true', 'aws:ResourceTag/edoc-hub:state': 'true' },
    });
    expect(tag[1]?.Condition).toEqual({
      StringEquals: {
        'aws:ResourceTag/edoc-hub:stage': 'test',
        'aws:RequestTag/edoc-hub:state': 'active',
      },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['edoc-hub:state'] },
    });
    expect(JSON.stringify(tag[1]?.Resource)).toContain(':key/*');
  });

  it('reads public keys and signs only with pending keys of its stage, digests with the CSR algorithm', () => {
    const pending = {
      'aws:ResourceTag/edoc-hub:stage': 'test',
      'aws:ResourceTag/edoc-hub:state': 'pending',
    };
    const of = (action: string) =>
      handlerStatements().filter((s) => [s.Action].flat().includes(action));
    expect(of('kms:GetPublicKey')).toEqual([
      expect.objectContaining({ Action: 'kms:GetPublicKey', Condition: { StringEquals: pending } }),
    ]);
    expect(of('kms:Sign')).toEqual([
      expect.objectContaining({
        Action: 'kms:Sign',
        Condition: {
          StringEquals: {
            ...pending,
            'kms:SigningAlgorithm': 'RSASSA_PKCS1_V1_5_SHA_256',
            'kms:MessageType': 'DIGEST',
          },
        },
      }),
    ]);
    expect(JSON.stringify(of('kms:Sign')[0]?.Resource)).toContain(':key/*');
  });

  it.each([
    ['without a state machine or reports bucket', {}],
    ['with a state machine', { stateMachineArn: STATE_MACHINE_ARN }],
    ['with a reports bucket', { reportsBucketName: REPORTS_BUCKET }],
  ])('passes cdk-nag AwsSolutions %s, every acknowledgement justified', (_, extra) => {
    const app = new App();
    makeStack(app, extra);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
