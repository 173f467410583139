import { Aws, Duration } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import {
  CfnFunction,
  LayerVersion,
  ParamsAndSecretsLayerVersion,
  ParamsAndSecretsVersions,
} from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AXIS_INBOUND_PREFIX, AXIS_OUTBOUND_PREFIX } from '#shared/axis/keys.ts';
import { bucketName } from '../definitions.ts';
import { AppFunction } from './app-function.ts';

export interface AxisConnectorProps {
  /** Deployment stage; names the documents bucket (the `incoming` bucket). */
  readonly stage: string;
  /** The status table: deliveries and documents (both), inbound claims (poller). */
  readonly table: ITableV2;
  /** The key of the documents bucket. */
  readonly dataKey: IKey;
  /** The axis system secret (SecretString), issued by the axis operator. */
  readonly secret: ISecret;
  /** Base URL of the axis API. */
  readonly endpoint: string;
  /** Our system id on the axis. */
  readonly systemId: string;
  /** The agency the hub speaks for on the axis (`from`, and the author of its status answers). */
  readonly organization: { readonly id: string; readonly name: string };
  /** @default Duration.minutes(5) */
  readonly pollRate?: Duration;
  /** Packages handled per poll. @default 20 */
  readonly maxPerPoll?: number;
  /** Receives before an outbox message is parked in the DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** @default Duration.seconds(90): a 50 MiB package upload within the 60 s transfer timeout */
  readonly senderTimeout?: Duration;
  /** @default Duration.minutes(5) */
  readonly pollerTimeout?: Duration;
}

/**
 * The national axis connector: an outbox queue (with its DLQ) drained by the sender (packages to
 * send and statuses our agencies report), and a scheduled poller that receives packages and
 * status messages and answers the packages. Each function gets only its own
 * table actions, its own bucket prefix and read access to the one secret.
 */
export class AxisConnector extends Construct {
  public readonly outboxQueue: Queue;
  public readonly deadLetterQueue: Queue;
  public readonly sender: AppFunction;
  public readonly poller: AppFunction;
  public readonly pollSchedule: Rule;

  constructor(scope: Construct, id: string, props: AxisConnectorProps) {
    super(scope, id);
    const senderTimeout = props.senderTimeout ?? Duration.seconds(90);
    const axisEnvironment = {
      AXIS_ENDPOINT: props.endpoint,
      AXIS_SYSTEM_ID: props.systemId,
      AXIS_ORGAN_ID: props.organization.id,
      AXIS_SECRET_ID: props.secret.secretArn,
      DOCUMENTS_BUCKET: bucketName(props.stage, 'incoming', Aws.ACCOUNT_ID, Aws.REGION),
      TABLE_NAME: props.table.tableName,
    };

    this.deadLetterQueue = new Queue(this, 'OutboxDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.outboxQueue = new Queue(this, 'OutboxQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Six times the consumer's timeout: a slow send is never redelivered while in flight.
      visibilityTimeout: Duration.seconds(senderTimeout.toSeconds() * 6),
      retentionPeriod: Duration.days(14),
      deadLetterQueue: {
        queue: this.deadLetterQueue,
        maxReceiveCount: props.maxReceiveCount ?? 5,
      },
    });

    this.sender = new AppFunction(this, 'Sender', {
      entryName: 'axis-sender',
      timeout: senderTimeout,
      environment: axisEnvironment,
    });
    this.sender.grantStatusItems(props.table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    this.sender.grantObjects(
      { stage: props.stage, purpose: 'incoming' },
      AXIS_OUTBOUND_PREFIX,
      ['s3:GetObject'],
      props.dataKey,
    );
    this.sender.addEventSource(
      new SqsEventSource(this.outboxQueue, {
        batchSize: 5,
        reportBatchItemFailures: true,
        maxConcurrency: 5,
      }),
    );

    const pollerTimeout = props.pollerTimeout ?? Duration.minutes(5);
    this.poller = new AppFunction(this, 'Poller', {
      entryName: 'axis-poller',
      timeout: pollerTimeout,
      environment: {
        ...axisEnvironment,
        AXIS_ORGAN_NAME: props.organization.name,
        AXIS_MAX_PER_POLL: String(props.maxPerPoll ?? 20),
        // A claim outlives any run, so only a crashed run's claims are ever taken over.
        AXIS_LEASE_SECONDS: String(pollerTimeout.toSeconds() * 3),
      },
      // The trust the attached PDFs' signatures are judged against, as in the verify step.
      assets: [{ from: 'config/trust', to: 'trust' }],
    });
    // One poll at a time as a matter of course; the per-message claims make an overlap harmless.
    const pollerResource = this.poller.node.defaultChild;
    if (!(pollerResource instanceof CfnFunction)) throw new Error('poller has no CfnFunction');
    pollerResource.reservedConcurrentExecutions = 1;
    // Claims, inbound documents and their deliveries; Query reads a document's deliveries when a
    // status message from the axis moves one.
    this.poller.grantStatusItems(props.table, [
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:Query',
    ]);
    this.poller.grantObjects(
      { stage: props.stage, purpose: 'incoming' },
      AXIS_INBOUND_PREFIX,
      ['s3:PutObject'],
      props.dataKey,
    );
    this.pollSchedule = new Rule(this, 'PollSchedule', {
      description: 'Receive edXML packages waiting on the national axis',
      schedule: Schedule.rate(props.pollRate ?? Duration.minutes(5)),
      // A missed tick is not retried: the next tick polls anyway.
      targets: [new LambdaFunction(this.poller, { retryAttempts: 0 })],
    });

    for (const fn of [this.sender, this.poller]) {
      props.secret.grantRead(fn);
      addSecretsExtension(fn);
    }
  }
}

/**
 * The AWS Parameters and Secrets extension, so the functions read the secret over localhost
 * without bundling a Secrets Manager SDK. AppFunction does not pass `paramsAndSecrets` through,
 * so this binds the layer the same way Function does for that prop.
 */
export function addSecretsExtension(fn: AppFunction): void {
  const bound = ParamsAndSecretsLayerVersion.fromVersion(ParamsAndSecretsVersions.V1_0_103, {
    cacheEnabled: true,
    cacheSize: 10,
  })._bind(fn, fn);
  fn.addLayers(LayerVersion.fromLayerVersionArn(fn, 'ParamsAndSecretsLayer', bound.arn));
  for (const [key, value] of Object.entries(bound.environmentVars)) {
    fn.addEnvironment(key, String(value));
  }
}
