import { App, Aws, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { BlockPublicAccess, Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { DocumentApi, type DocumentApiProps } from '#infra/constructs/document-api.ts';
import { bucketName } from '#infra/definitions.ts';

const ISSUER_URL = 'https://cognito-idp.ap-southeast-1.amazonaws.com/ap-southeast-1_example';

function makeStack(app: App, overrides: Partial<DocumentApiProps> = {}) {
  const stack = new Stack(app, 'DocumentApiTest', {
    env: { account: '111122223333', region: 'ap-southeast-1' },
  });
  const table = new TableV2(stack, 'Table', {
    partitionKey: { name: 'pk', type: AttributeType.STRING },
    sortKey: { name: 'sk', type: AttributeType.STRING },
    billing: Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
  });
  const dataKey = new Key(stack, 'DataKey', { enableKeyRotation: true });
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

let template: Template;

beforeAll(() => {
  template = Template.fromStack(makeStack(new App()).stack);
});

function handlerStatements(): {
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) =>
        r.Ref.startsWith('DocumentsHandlerRole'),
      ),
    )
    .flatMap((p) => p.Properties.PolicyDocument.Statement);
}

const handlerActions = () => handlerStatements().flatMap((s) => [s.Action].flat());

describe('document API', () => {
  it('guards POST /documents with the JWT authorizer of the configured issuer and audience', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: ISSUER_URL, Audience: ['agency-portal'] },
    });
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
    expect(routes.map((r) => r.Properties.RouteKey)).toEqual(['POST /documents']);
    expect(routes[0]?.Properties).toMatchObject({
      AuthorizationType: 'JWT',
      AuthorizerId: { Ref: expect.stringMatching(/^DocumentsApiAgencyJwt/) },
    });
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
        AllowMethods: ['GET', 'POST'],
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

  it('grants item reads and writes on the API partitions only, no scans, queries or GSIs', () => {
    const table = handlerStatements().filter((s) =>
      [s.Action].flat().some((a) => a.startsWith('dynamodb:')),
    );
    expect(table).toEqual([
      expect.objectContaining({
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^Table/), 'Arn'] },
        Condition: {
          'ForAllValues:StringLike': {
            'dynamodb:LeadingKeys': ['DOC#*', 'NUMBER#*', 'AUDIT#*', 'ROLLOUT#POLICY'],
          },
        },
      }),
    ]);
  });

  it('lets the signed upload form write incoming/* under the bucket key, and nothing else', () => {
    const actions = handlerActions();
    expect(actions).toContain('s3:PutObject');
    expect(actions).toContain('kms:GenerateDataKey');
    expect(actions).not.toContain('s3:GetObject');
    expect(actions).not.toContain('kms:Decrypt');
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
    const put = handlerStatements().find((s) => [s.Action].flat().includes('s3:PutObject'));
    expect(JSON.stringify(put?.Resource)).toContain('-incoming-');
    expect(JSON.stringify(put?.Resource)).toMatch(/\/incoming\/\*"/);
    const kms = handlerStatements().find((s) => [s.Action].flat().includes('kms:GenerateDataKey'));
    expect(kms?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^DataKey/), 'Arn'] });
  });

  it('passes cdk-nag AwsSolutions with every acknowledgement justified', () => {
    const app = new App();
    makeStack(app);
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).not.toThrow();
  });
});
