import { Aws, CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { AGENCY_KEY_PK } from '#adapters/dynamodb-agency-key-registry.ts';
import { REFERENCE_PKS } from '#adapters/dynamodb-reference-store.ts';
import { KEY_TAGS } from '#adapters/kms-key-provisioner.ts';
import type { DeploymentConfig } from './config.ts';
import { AppFunction } from './constructs/app-function.ts';
import { AxisConnector } from './constructs/axis-connector.ts';
import { DocumentApi } from './constructs/document-api.ts';
import { HsmNetwork } from './constructs/hsm-network.ts';
import { deadLetterAlarm, Operations } from './constructs/operations.ts';
import { RolloutStateMachine } from './constructs/rollout-state-machine.ts';
import { WebConsole } from './constructs/web-console.ts';
import {
  bucketName,
  certificatesPrefix,
  countersignedPrefix,
  countersignQueue,
  incomingPrefix,
  ingestFunctionTimeoutSeconds,
  ingestQueue,
  type QueueDefinition,
  routeQueue,
  stepFunctionTimeoutSeconds,
} from './definitions.ts';
import type { StatefulStack } from './stateful-stack.ts';

export interface StatelessStackProps extends StackProps {
  readonly config: DeploymentConfig;
  readonly stateful: StatefulStack;
}

/** Functions, APIs and state machines: replaceable at any time, they hold no data. */
export class StatelessStack extends Stack {
  public readonly verifyFunction: AppFunction;
  public readonly countersignFunction: AppFunction;
  public readonly routeFunction: AppFunction;
  public readonly rollout: RolloutStateMachine;
  /** Sender and poller on the national axis, when it is configured. */
  public readonly axisConnector: AxisConnector | undefined;
  /** POST /documents behind a JWT authorizer, when an identity provider is configured. */
  public readonly documentApi: DocumentApi | undefined;
  /** The agencies' web console on CloudFront, with the stack's own user pool (`webConsole`). */
  public readonly webConsole: WebConsole | undefined;
  /** The countersign function's place in a CloudHSM cluster's VPC (`hsm=cloudhsm`). */
  public readonly hsmNetwork: HsmNetwork | undefined;
  public readonly operations: Operations;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const incoming = bucketName(config.stage, 'incoming', Aws.ACCOUNT_ID, Aws.REGION);

    this.verifyFunction = new AppFunction(this, 'VerifyDocument', {
      entryName: 'verify-document',
      // Trust anchors, intermediates and CRLs (PEM) deployed with the code: see config/trust/.
      assets: [{ from: 'config/trust', to: 'trust' }],
      timeout: Duration.seconds(ingestFunctionTimeoutSeconds),
      memorySize: 1769, // one full vCPU: hashing and RSA verification are CPU-bound
      environment: {
        INCOMING_BUCKET: incoming,
        MAX_UPLOAD_BYTES: String(config.maxUploadBytes),
        TABLE_NAME: stateful.table.tableName,
        COUNTERSIGN_QUEUE_URL: stateful.countersignQueue.queueUrl,
      },
    });
    this.verifyFunction.grantStatusItems(stateful.table, [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    // Administrators' edits and installed agency keys: the reference data every function reads
    // (the route function and the axis poller already query the whole table).
    this.verifyFunction.grantStatusItems(
      stateful.table,
      ['dynamodb:Query'],
      [...REFERENCE_PKS, AGENCY_KEY_PK],
    );
    stateful.countersignQueue.grantSendMessages(this.verifyFunction);
    this.verifyFunction.grantObjects(
      { stage: config.stage, purpose: 'incoming' },
      incomingPrefix,
      ['s3:GetObject'],
      stateful.dataKey,
    );
    consume(this.verifyFunction, stateful.ingestQueue, ingestQueue);

    this.countersignFunction = new AppFunction(this, 'CountersignDocument', {
      entryName: 'countersign-document',
      timeout: Duration.seconds(stepFunctionTimeoutSeconds),
      memorySize: 1769,
      environment: {
        INCOMING_BUCKET: incoming,
        TABLE_NAME: stateful.table.tableName,
        ROUTE_QUEUE_URL: stateful.routeQueue.queueUrl,
      },
    });
    this.countersignFunction.grantStatusItems(stateful.table, [
      'dynamodb:GetItem',
      'dynamodb:UpdateItem',
    ]);
    this.countersignFunction.grantStatusItems(
      stateful.table,
      ['dynamodb:Query'],
      [...REFERENCE_PKS, AGENCY_KEY_PK],
    );
    stateful.routeQueue.grantSendMessages(this.countersignFunction);
    for (const [prefix, actions] of [
      [incomingPrefix, ['s3:GetObject']],
      [certificatesPrefix, ['s3:GetObject']],
      [countersignedPrefix, ['s3:PutObject']],
    ] as const) {
      this.countersignFunction.grantObjects(
        { stage: config.stage, purpose: 'incoming' },
        prefix,
        actions,
        stateful.dataKey,
      );
    }
    // Organization keys live either in KMS or, with `hsm=cloudhsm`, in the cluster (PKCS#11).
    this.hsmNetwork = config.hsm
      ? new HsmNetwork(this, 'HsmNetwork', {
          clusterId: config.hsm.clusterId,
          ipAddresses: config.hsm.ipAddresses,
          vpcId: config.hsm.vpcId,
          subnetIds: config.hsm.subnetIds,
          clusterSecurityGroupId: config.hsm.securityGroupId,
          pinSecretName: config.hsm.pinSecretName,
          modulePath: config.hsm.modulePath,
          layerArn: config.hsm.layerArn,
          endpointRouteTableIds:
            config.hsm.endpoints === 'create' ? config.hsm.routeTableIds : undefined,
        })
      : undefined;
    if (this.hsmNetwork) this.hsmNetwork.attach(this.countersignFunction);
    else {
      for (const key of stateful.organizationKeys.values()) {
        key.grant(this.countersignFunction, 'kms:Sign', 'kms:GetPublicKey');
      }
      // Keys provisioned through the API (`POST /admin/agencies/{code}/key`) once their
      // certificate is installed: the install flips their state tag from pending to active.
      const provisioned = Stack.of(this).formatArn({
        service: 'kms',
        resource: 'key',
        resourceName: '*',
      });
      this.countersignFunction.addToRolePolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['kms:Sign', 'kms:GetPublicKey'],
          resources: [provisioned],
          conditions: {
            StringEquals: {
              [`aws:ResourceTag/${KEY_TAGS.stage}`]: config.stage,
              [`aws:ResourceTag/${KEY_TAGS.state}`]: 'active',
            },
          },
        }),
      );
      this.countersignFunction.acknowledgeWildcardResource(
        provisioned,
        'Agency keys provisioned at run time have ARNs unknown at deploy time; signing is bound by aws:ResourceTag conditions to the active keys of this stage.',
      );
    }
    consume(this.countersignFunction, stateful.countersignQueue, countersignQueue);

    this.routeFunction = new AppFunction(this, 'RouteDocument', {
      entryName: 'route-document',
      timeout: Duration.seconds(stepFunctionTimeoutSeconds),
      environment: {
        INCOMING_BUCKET: incoming,
        ARCHIVE_BUCKET: bucketName(config.stage, 'archive', Aws.ACCOUNT_ID, Aws.REGION),
        TABLE_NAME: stateful.table.tableName,
        ARCHIVE_RETENTION_YEARS: String(config.archiveRetentionYears),
      },
    });
    this.routeFunction.grantStatusItems(stateful.table, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    for (const prefix of [incomingPrefix, countersignedPrefix]) {
      this.routeFunction.grantObjects(
        { stage: config.stage, purpose: 'incoming' },
        prefix,
        ['s3:GetObject'],
        stateful.dataKey,
      );
    }
    for (const prefix of ['archive/', 'manifests/']) {
      this.routeFunction.grantObjects(
        { stage: config.stage, purpose: 'archive' },
        prefix,
        ['s3:PutObject'],
        stateful.dataKey,
      );
    }
    consume(this.routeFunction, stateful.routeQueue, routeQueue);

    // The reports bucket by name, not as a cross-stack object: the cdk-nag acknowledgement of the
    // `reports/*` grant is written against that plain ARN.
    this.rollout = new RolloutStateMachine(this, 'Rollout', {
      table: stateful.table,
      reportsBucket: Bucket.fromBucketName(
        this,
        'ReportsBucket',
        bucketName(config.stage, 'reports', Aws.ACCOUNT_ID, Aws.REGION),
      ),
      reportsKey: stateful.dataKey,
    });

    this.axisConnector =
      config.axis && stateful.axisSecret
        ? new AxisConnector(this, 'AxisConnector', {
            stage: config.stage,
            table: stateful.table,
            dataKey: stateful.dataKey,
            secret: stateful.axisSecret,
            endpoint: config.axis.endpoint,
            systemId: config.axis.systemId,
            organization: { id: config.axis.organId, name: config.axis.organName },
            pollRate: Duration.minutes(config.axis.pollMinutes),
          })
        : undefined;
    if (this.axisConnector) {
      // The route step packs edXML for axis recipients and hands each to the sender's outbox.
      this.routeFunction.addEnvironment(
        'AXIS_OUTBOX_QUEUE_URL',
        this.axisConnector.outboxQueue.queueUrl,
      );
      this.axisConnector.outboxQueue.grantSendMessages(this.routeFunction);
      this.routeFunction.grantObjects(
        { stage: config.stage, purpose: 'incoming' },
        'axis/outbound/',
        ['s3:PutObject'],
        stateful.dataKey,
      );
      deadLetterAlarm(this, 'AxisDeadLetterQueueAlarm', {
        topic: stateful.alarmTopic,
        queue: this.axisConnector.deadLetterQueue,
        description: 'An outbound axis package was parked in the axis DLQ; redrive it.',
      });
    }

    if (config.jwtIssuer !== undefined && config.jwtAudience.length === 0) {
      throw new Error('jwtAudience is required with jwtIssuer');
    }
    // The console signs in through the stack's own user pool; with an external identity provider
    // it is served by whoever runs that provider.
    this.webConsole =
      config.webConsole && stateful.userPool && stateful.userPoolDomain
        ? new WebConsole(this, 'WebConsole', {
            userPool: stateful.userPool,
            hostedUiDomain: stateful.userPoolDomain,
            storageBucketNames: (['incoming', 'reports'] as const).map((purpose) =>
              bucketName(config.stage, purpose, Aws.ACCOUNT_ID, Aws.REGION),
            ),
          })
        : undefined;
    // An external identity provider when configured, otherwise the stack's own user pool.
    const identity =
      config.jwtIssuer !== undefined
        ? { issuer: config.jwtIssuer, audience: config.jwtAudience }
        : stateful.userPool && stateful.userPoolClient
          ? {
              issuer: `https://cognito-idp.${Aws.REGION}.amazonaws.com/${stateful.userPool.userPoolId}`,
              audience: [
                stateful.userPoolClient.userPoolClientId,
                ...(stateful.cliClient ? [stateful.cliClient.userPoolClientId] : []),
                ...(this.webConsole ? [this.webConsole.client.userPoolClientId] : []),
              ],
            }
          : undefined;
    this.documentApi =
      identity === undefined
        ? undefined
        : new DocumentApi(this, 'DocumentApi', {
            stage: config.stage,
            table: stateful.table,
            dataKey: stateful.dataKey,
            jwtIssuer: identity.issuer,
            jwtAudience: identity.audience,
            corsOrigins: [
              ...config.corsOrigins,
              ...(this.webConsole ? [this.webConsole.origin] : []),
            ],
            maxUploadBytes: config.maxUploadBytes,
            stateMachineArn: this.rollout.stateMachine.stateMachineArn,
            reportsBucketName: bucketName(config.stage, 'reports', Aws.ACCOUNT_ID, Aws.REGION),
            reportsKey: stateful.dataKey,
            axisOutbox: this.axisConnector?.outboxQueue,
          });
    if (this.documentApi) new CfnOutput(this, 'DocumentApiUrl', { value: this.documentApi.url });
    if (this.webConsole && this.documentApi) {
      this.webConsole.deploySite(this.documentApi.url);
      new CfnOutput(this, 'WebConsoleUrl', { value: this.webConsole.url });
    }

    this.operations = new Operations(this, 'Operations', {
      topic: stateful.alarmTopic,
      dashboardName: `edoc-hub-${config.stage}`,
      functions: {
        Verify: this.verifyFunction,
        Countersign: this.countersignFunction,
        Route: this.routeFunction,
        ...(this.axisConnector
          ? { AxisSender: this.axisConnector.sender, AxisPoller: this.axisConnector.poller }
          : {}),
        ...(this.documentApi ? { Api: this.documentApi.handler } : {}),
      },
      queues: {
        Ingest: stateful.ingestQueue,
        Countersign: stateful.countersignQueue,
        Route: stateful.routeQueue,
        ...(this.axisConnector ? { AxisOutbox: this.axisConnector.outboxQueue } : {}),
      },
      stateMachine: this.rollout.stateMachine,
    });
  }
}

/** The function drains the queue as its definition says, reporting partial batch failures. */
function consume(fn: AppFunction, queue: IQueue, definition: QueueDefinition): void {
  fn.addEventSource(
    new SqsEventSource(queue, {
      batchSize: definition.batchSize,
      maxConcurrency: definition.maxConcurrency,
      reportBatchItemFailures: true,
    }),
  );
}
