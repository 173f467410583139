import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
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
import { Construct } from 'constructs';
import { DEFAULT_MAX_UPLOAD_BYTES } from '#shared/documents/metadata.ts';
import { bucketName, incomingPrefix } from '../definitions.ts';
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
}

/** Partition keys the API reads and writes; everything else in the table is out of its reach. */
const API_LEADING_KEYS = ['DOC#*', 'NUMBER#*', 'AUDIT#*', 'ROLLOUT#POLICY'];

/**
 * The agencies' HTTP API: `POST /documents` behind a JWT authorizer, served by one function that
 * claims the number, writes the record and signs an S3 POST form for the PDF. The form is signed
 * with the function's credentials, so its role holds exactly what an upload needs:
 * `s3:PutObject` under `incoming/` and `kms:GenerateDataKey` on the bucket's key.
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

    this.handler = new AppFunction(this, 'Handler', {
      entryName: 'documents-api',
      timeout: Duration.seconds(10),
      memorySize: 512,
      environment: {
        TABLE_NAME: props.table.tableName,
        INCOMING_BUCKET: bucketName(props.stage, 'incoming', Aws.ACCOUNT_ID, Aws.REGION),
        MAX_UPLOAD_BYTES: String(props.maxUploadBytes ?? DEFAULT_MAX_UPLOAD_BYTES),
      },
    });
    this.handler.addToRolePolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [props.table.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': API_LEADING_KEYS } },
      }),
    );
    this.handler.grantObjects(
      { stage: props.stage, purpose: 'incoming' },
      incomingPrefix,
      ['s3:PutObject'],
      props.dataKey,
    );

    this.api = new HttpApi(this, 'Api', {
      description: 'edoc-hub agency API',
      createDefaultStage: false,
      ...(corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...corsOrigins],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
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
    this.api.addRoutes({
      path: '/documents',
      methods: [HttpMethod.POST],
      integration: new HttpLambdaIntegration('Documents', this.handler),
      authorizer,
      ...(props.authorizationScopes ? { authorizationScopes: [...props.authorizationScopes] } : {}),
    });
  }
}
