import { Aws, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AGENCY_KEY_PK } from '#adapters/dynamodb-agency-key-registry.ts';
import { REFERENCE_PKS } from '#adapters/dynamodb-reference-store.ts';
import { APPROVAL_PK } from '#adapters/dynamodb-rollout-store.ts';
import { AGENCY_KEY_SPEC, KEY_TAGS } from '#adapters/kms-key-provisioner.ts';
import { API_OPERATIONS } from '#shared/documents/api-contract.ts';
import { DEFAULT_MAX_UPLOAD_BYTES } from '#shared/documents/metadata.ts';
import { AGENCY_KEY_ALGORITHM } from '#shared/keys/agency-keys.ts';
import { REPORTS_PREFIX } from '#shared/rollout/phase-report.ts';
import {
  bucketName,
  certificatesPrefix,
  countersignedPrefix,
  incomingPrefix,
} from '../definitions.ts';
import { AppFunction } from './app-function.ts';

export interface DocumentApiProps {
  /** Deployment stage; names the incoming bucket the upload forms write to. */
  readonly stage: string;
  /** The status table: records, number claims, audit records, the rollout policy. */
  readonly table: ITableV2;
  /** The incoming bucket's SSE-KMS key: uploads signed by the function encrypt with it. */
  readonly dataKey: IKey;
  /** Issuer URL of the identity provider, e.g. the Cognito user pool's. */
  readonly jwtIssuer: string;
  /** Accepted `aud` (or Cognito `client_id`) values. */
  readonly jwtAudience: readonly string[];
  /** Scopes a token must carry on every route. @default none (ID tokens carry no scopes) */
  readonly authorizationScopes?: readonly string[];
  /** Browser origins allowed to call the API. @default [] (no CORS) */
  readonly corsOrigins?: readonly string[];
  /** Largest PDF accepted, in bytes. @default DEFAULT_MAX_UPLOAD_BYTES (50 MiB) */
  readonly maxUploadBytes?: number;
  /** Steady-state requests per second over the whole stage. @default 20 */
  readonly rateLimit?: number;
  /** @default 40 */
  readonly burstLimit?: number;
  /** @default RetentionDays.ONE_YEAR */
  readonly accessLogRetention?: RetentionDays;
  /**
   * The rollout state machine whose approval tasks administrators answer (SendTaskSuccess).
   * @default none: the approval routes answer 503
   */
  readonly stateMachineArn?: string;
  /**
   * Name of the bucket the rollout writes its phase reports to (under `reports/`), which
   * administrators list and download through the API.
   * @default none: the report routes answer 503
   */
  readonly reportsBucketName?: string;
  /** Key of the reports bucket, if SSE-KMS. @default dataKey */
  readonly reportsKey?: IKey;
  /**
   * The national axis connector's outbox: statuses our agencies report on documents received
   * over the axis are queued there for the axis sender.
   * @default none: receipts stay in the hub
   */
  readonly axisOutbox?: IQueue;
  /** GSI keyed `ISSUER#<code>` / `<createdAt>#<id>`. @default 'byIssuer' */
  readonly issuerIndexName?: string;
  /** GSI keyed `RECIPIENT#<code>` / `<deliveredAt>#<id>`. @default 'byRecipient' */
  readonly recipientIndexName?: string;
}

/** Partition keys the API reads and writes; everything else in the table is out of its reach. */
const API_LEADING_KEYS = ['DOC#*', 'NUMBER#*', 'AUDIT#*', 'ROLLOUT#POLICY', ...REFERENCE_PKS];

/**
 * The agencies' HTTP API (routes in `API_OPERATIONS`), every route but `GET /openapi.json` behind
 * a JWT authorizer, served by one function. Its role holds exactly what the routes need:
 * - the upload form and the file link are signed with the function's credentials, so
 *   `s3:PutObject` under `incoming/`, `s3:GetObject` under `countersigned/`, and the bucket key's
 *   `kms:GenerateDataKey` and `kms:Decrypt`;
 * - item reads and writes on the document, number, audit and policy partitions, queries of a
 *   document's deliveries, delivery updates, and queries of the two list indexes;
 * - queries and conditional puts on the directory and catalogue edit partitions (`REF#…`);
 * - with a state machine: the approval partition and `states:SendTaskSuccess` on that machine;
 * - `dynamodb:Scan` of the table for `GET /admin/stats` across every issuer (read-only, bounded
 *   to a few pages per request by the function);
 * - with a reports bucket: listing under `reports/` and `s3:GetObject` on `reports/*` (the
 *   download link and the existence check), with `kms:Decrypt` of its key;
 * - with an axis outbox: `sqs:SendMessage` on it (and its key), for receipts on documents
 *   received over the national axis;
 * - for organization keys (`POST /admin/agencies/{code}/key`, `PUT …/certificate`): the
 *   `REF#AGENCYKEY` partition, `s3:PutObject` under `certificates/`, and KMS as `#grantAgencyKeys`
 *   describes: the function signs only with keys still pending, never with one in service.
 */
export class DocumentApi extends Construct {
  public readonly api: HttpApi;
  public readonly stage: HttpStage;
  public readonly handler: AppFunction;
  public readonly accessLogs: LogGroup;
  /** Base URL of the API (`https://<id>.execute-api.<region>.amazonaws.com/`). */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: DocumentApiProps) {
    super(scope, id);
    const corsOrigins = props.corsOrigins ?? [];
    const issuerIndex = props.issuerIndexName ?? 'byIssuer';
    const recipientIndex = props.recipientIndexName ?? 'byRecipient';

    this.handler = new AppFunction(this, 'Handler', {
      entryName: 'documents-api',
      // Trust anchors against which installed organization certificates are validated.
      assets: [{ from: 'config/trust', to: 'trust' }],
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: {
        TABLE_NAME: props.table.tableName,
        INCOMING_BUCKET: bucketName(props.stage, 'incoming', Aws.ACCOUNT_ID, Aws.REGION),
        MAX_UPLOAD_BYTES: String(props.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES),
        ISSUER_INDEX: issuerIndex,
        RECIPIENT_INDEX: recipientIndex,
        KEY_STAGE: props.stage,
        ...(props.stateMachineArn ? { STATE_MACHINE_ARN: props.stateMachineArn } : {}),
        ...(props.reportsBucketName ? { REPORTS_BUCKET: props.reportsBucketName } : {}),
        ...(props.axisOutbox ? { AXIS_OUTBOX_QUEUE_URL: props.axisOutbox.queueUrl } : {}),
      },
    });
    props.axisOutbox?.grantSendMessages(this.handler);
    this.handler.grantStatusItems(
      props.table,
      ['dynamodb:GetItem', 'dynamodb:PutItem'],
      API_LEADING_KEYS,
    );
    // Administrators' directory and catalogue edits, read as one partition each.
    this.handler.grantStatusItems(props.table, ['dynamodb:Query'], REFERENCE_PKS);
    this.#grantAgencyKeys(props);
    // Deliveries of a document (Query on its partition), receipts and recalls (UpdateItem).
    this.handler.grantStatusItems(
      props.table,
      ['dynamodb:Query', 'dynamodb:UpdateItem'],
      ['DOC#*'],
    );
    this.handler.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:Query'],
        resources: [issuerIndex, recipientIndex].map((i) => `${props.table.tableArn}/index/${i}`),
      }),
    );
    if (props.stateMachineArn) {
      this.handler.grantStatusItems(
        props.table,
        ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
        [APPROVAL_PK],
      );
      this.handler.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['states:SendTaskSuccess'],
          resources: [props.stateMachineArn],
        }),
      );
    }
    // Statistics over every issuer read document items by scan; no index is keyed by date.
    this.handler.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:Scan'],
        resources: [props.table.tableArn],
      }),
    );
    if (props.reportsBucketName)
      this.#grantReports(props.reportsBucketName, props.reportsKey ?? props.dataKey);
    props.table.encryptionKey?.grant(this.handler, 'kms:Decrypt', 'kms:Encrypt');
    this.handler.grantObjects(
      { stage: props.stage, purpose: 'incoming' },
      incomingPrefix,
      ['s3:PutObject'],
      props.dataKey,
    );
    this.handler.grantObjects(
      { stage: props.stage, purpose: 'incoming' },
      countersignedPrefix,
      ['s3:GetObject'],
      props.dataKey,
    );

    this.api = new HttpApi(this, 'Api', {
      description: 'edoc-hub agency API',
      createDefaultStage: false,
      ...(corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...corsOrigins],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type'],
              exposeHeaders: ['location'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    this.accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 20, burstLimit: props.burstLimit ?? 40 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            responseLength: '$context.responseLength',
            subject: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.url = this.stage.url;

    const authorizer = new HttpJwtAuthorizer('AgencyJwt', props.jwtIssuer, {
      jwtAudience: [...props.jwtAudience],
    });
    const integration = new HttpLambdaIntegration('Documents', this.handler);
    for (const op of API_OPERATIONS) {
      const isPublic = 'public' in op && op.public;
      const [route] = this.api.addRoutes({
        path: op.path,
        methods: [HttpMethod[op.method]],
        integration,
        ...(isPublic
          ? {}
          : {
              authorizer,
              ...(props.authorizationScopes
                ? { authorizationScopes: [...props.authorizationScopes] }
                : {}),
            }),
      });
      if (isPublic && route) {
        const reason = PUBLIC_ROUTE_REASONS[op.operationId];
        // A new public route needs its own justification before it can be served unauthorized.
        if (reason === undefined)
          throw new Error(`${op.method} ${op.path} is public without a reason`);
        Validations.of(route).acknowledge({ id: 'AwsSolutions-APIG4', reason });
      }
    }
  }

  /**
   * Organization keys, with conditions on the tags `KmsKeyProvisioner` sets. The function may
   * create RSA_3072 SIGN_VERIFY keys only with the stage's tags and `edoc-hub:state=pending`;
   * read the public key and sign (the CSR) only while a key is pending; and change a key's tags
   * only by setting `edoc-hub:state=active`, which it does when the certificate is installed.
   * From then on only the countersign function, granted on `active` keys, signs with it.
   */
  #grantAgencyKeys(props: DocumentApiProps): void {
    const fn = this.handler;
    const stage = { [`aws:RequestTag/${KEY_TAGS.stage}`]: props.stage };
    const ourTags = { 'aws:TagKeys': Object.values(KEY_TAGS) };
    const keys = Stack.of(this).formatArn({ service: 'kms', resource: 'key', resourceName: '*' });
    fn.grantStatusItems(
      props.table,
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Query'],
      [AGENCY_KEY_PK],
    );
    fn.grantObjects(
      { stage: props.stage, purpose: 'incoming' },
      certificatesPrefix,
      ['s3:PutObject'],
      props.dataKey,
    );
    // CreateKey has no resource ARN; its conditions are what scope it.
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:CreateKey'],
        resources: ['*'],
        conditions: {
          StringEquals: {
            'kms:KeySpec': AGENCY_KEY_SPEC,
            'kms:KeyUsage': 'SIGN_VERIFY',
            'kms:KeyOrigin': 'AWS_KMS',
            ...stage,
            [`aws:RequestTag/${KEY_TAGS.state}`]: 'pending',
          },
          'ForAllValues:StringEquals': ourTags,
          Null: { [`aws:RequestTag/${KEY_TAGS.agency}`]: 'false' },
        },
      }),
    );
    // CreateKey's Tags are authorized as TagResource on a key that has no tags yet.
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:TagResource'],
        resources: ['*'],
        conditions: {
          StringEquals: { ...stage, [`aws:RequestTag/${KEY_TAGS.state}`]: 'pending' },
          'ForAllValues:StringEquals': ourTags,
          Null: {
            [`aws:ResourceTag/${KEY_TAGS.stage}`]: 'true',
            [`aws:ResourceTag/${KEY_TAGS.state}`]: 'true',
          },
        },
      }),
    );
    const ofStage = { [`aws:ResourceTag/${KEY_TAGS.stage}`]: props.stage };
    const pending = { ...ofStage, [`aws:ResourceTag/${KEY_TAGS.state}`]: 'pending' };
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:TagResource'],
        resources: [keys],
        conditions: {
          StringEquals: { ...ofStage, [`aws:RequestTag/${KEY_TAGS.state}`]: 'active' },
          'ForAllValues:StringEquals': { 'aws:TagKeys': [KEY_TAGS.state] },
        },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:GetPublicKey'],
        resources: [keys],
        conditions: { StringEquals: pending },
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['kms:Sign'],
        resources: [keys],
        conditions: {
          StringEquals: {
            ...pending,
            'kms:SigningAlgorithm': AGENCY_KEY_ALGORITHM,
            'kms:MessageType': 'DIGEST',
          },
        },
      }),
    );
    fn.acknowledgeWildcardResource(
      '*',
      'kms:CreateKey has no resource to name, and the tags of a key being created are authorized on no resource either; both statements are bound by conditions on key spec, usage, origin and the request tags.',
    );
    fn.acknowledgeWildcardResource(
      keys,
      'Organization keys are created at run time, one per agency; their ARNs cannot be known at deploy time, so access is bound by aws:ResourceTag conditions (stage, pending state) instead.',
    );
  }

  #grantReports(bucketName: string, key: IKey): void {
    const bucketArn = `arn:${Aws.PARTITION}:s3:::${bucketName}`;
    const objects = `${bucketArn}/${REPORTS_PREFIX}*`;
    this.handler.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:ListBucket'],
        resources: [bucketArn],
        conditions: { StringLike: { 's3:prefix': [`${REPORTS_PREFIX}*`] } },
      }),
    );
    this.handler.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['s3:GetObject'],
        resources: [objects],
      }),
    );
    key.grantDecrypt(this.handler);
    this.handler.acknowledgeWildcardResource(
      objects,
      `Reports are objects under ${REPORTS_PREFIX}, read only; the key prefix is the narrowest scope.`,
    );
  }
}

/** Why each route served without the authorizer may be. */
const PUBLIC_ROUTE_REASONS: Readonly<Record<string, string>> = {
  getOpenApi: 'GET /openapi.json serves the public API description, which holds no data.',
  getHealth:
    'GET /health answers a constant for load balancers and uptime probes; it reads nothing and holds no data.',
};
