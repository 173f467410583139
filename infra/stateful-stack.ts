import {
  Aws,
  CfnOutput,
  Duration,
  RemovalPolicy,
  Stack,
  type StackProps,
  Validations,
} from 'aws-cdk-lib';
import {
  AccountRecovery,
  ClientAttributes,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  EventType,
  HttpMethods,
  ObjectLockRetention,
} from 'aws-cdk-lib/aws-s3';
import { SqsDestination } from 'aws-cdk-lib/aws-s3-notifications';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { QUANG_NGAI_DIRECTORY } from '#shared/routing/seed-quang-ngai-directory.ts';
import type { DeploymentConfig } from './config.ts';

/** The loopback port `edoc login` listens on by default (Cognito allows http for localhost). */
export const CLI_LOGIN_PORT = 8765;

import { deadLetterAlarm } from './constructs/operations.ts';
import {
  type BucketPurpose,
  bucketName,
  countersignedPrefix,
  countersignQueue,
  incomingPrefix,
  ingestQueue,
  type QueueDefinition,
  routeQueue,
  statusTable,
} from './definitions.ts';

export interface StatefulStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** Everything that holds data: buckets, the status table, queues and keys. Never replaced lightly. */
export class StatefulStack extends Stack {
  public readonly dataKey: Key;
  public readonly incomingBucket: Bucket;
  public readonly archiveBucket: Bucket;
  /** Pilot and rollout reports (JSON, CSV, HTML) the rollout state machine writes. */
  public readonly reportsBucket: Bucket;
  public readonly table: TableV2;
  public readonly ingestQueue: Queue;
  public readonly ingestDeadLetterQueue: Queue;
  public readonly countersignQueue: Queue;
  public readonly routeQueue: Queue;
  /** Every dead-letter queue, for the alarms that bring a person to a parked document. */
  public readonly deadLetterQueues: Queue[];
  /** Organization signing keys (KMS SIGN_VERIFY) by agency code, for directory keys in KMS. */
  public readonly organizationKeys: Map<string, Key>;
  /** Where alarms go: the operators' e-mail when `alarmEmail` is configured. */
  public readonly alarmTopic: Topic;
  /**
   * Agency clerks and administrators, unless an external identity provider is configured
   * (`jwtIssuer`): each user carries `custom:agency` (QCVN 102 code) and `custom:role`, which only
   * administrators can set.
   */
  public readonly userPool: UserPool | undefined;
  public readonly userPoolClient: UserPoolClient | undefined;
  /** `edoc login`: the code flow with PKCE on a loopback redirect. */
  public readonly cliClient: UserPoolClient | undefined;
  /** The Cognito hosted UI the web console signs in through, with the user pool. */
  public readonly userPoolDomain: UserPoolDomain | undefined;
  /** The HMAC system secret on the national axis, when the axis is configured. */
  public readonly axisSecret: Secret | undefined;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.dataKey = new Key(this, 'DataKey', {
      description: 'edoc-hub data encryption (buckets, table)',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const named = (purpose: BucketPurpose) =>
      bucketName(config.stage, purpose, Aws.ACCOUNT_ID, Aws.REGION);

    const accessLogs = new Bucket(this, 'AccessLogBucket', {
      bucketName: named('logs'),
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: BucketEncryption.S3_MANAGED,
      versioned: true,
      lifecycleRules: [{ expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Every data bucket: private, TLS only, versioned, under the data key, logged, kept on delete.
    const dataBucket = (id: string, purpose: BucketPurpose, extra: BucketProps = {}) =>
      new Bucket(this, id, {
        bucketName: named(purpose),
        blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
        enforceSSL: true,
        encryption: BucketEncryption.KMS,
        encryptionKey: this.dataKey,
        bucketKeyEnabled: true,
        versioned: true,
        serverAccessLogsBucket: accessLogs,
        serverAccessLogsPrefix: `${purpose}/`,
        removalPolicy: RemovalPolicy.RETAIN,
        ...extra,
      });

    this.incomingBucket = dataBucket('IncomingBucket', 'incoming', {
      // Uploads and axis packages are copied to the archive before delivery; the working copies
      // expire. Countersigned PDFs stay a year for recipients' downloads.
      lifecycleRules: [
        { prefix: incomingPrefix, expiration: Duration.days(30) },
        { prefix: 'axis/', expiration: Duration.days(90) },
        { prefix: countersignedPrefix, expiration: Duration.days(365) },
        { noncurrentVersionExpiration: Duration.days(30) },
      ],
      // Browser uploads (pre-signed POST) and downloads of countersigned PDFs (pre-signed GET).
      cors:
        config.corsOrigins.length > 0
          ? [
              {
                allowedMethods: [HttpMethods.POST, HttpMethods.GET],
                allowedOrigins: config.corsOrigins,
                allowedHeaders: ['*'],
              },
            ]
          : undefined,
    });
    this.reportsBucket = dataBucket('ReportsBucket', 'reports', {
      cors:
        config.corsOrigins.length > 0
          ? [{ allowedMethods: [HttpMethods.GET], allowedOrigins: config.corsOrigins }]
          : undefined,
    });
    const retention = Duration.days(365 * config.archiveRetentionYears);
    this.archiveBucket = dataBucket('ArchiveBucket', 'archive', {
      objectLockEnabled: true,
      objectLockDefaultRetention:
        config.objectLockMode === 'COMPLIANCE'
          ? ObjectLockRetention.compliance(retention)
          : ObjectLockRetention.governance(retention),
    });

    this.table = new TableV2(this, statusTable.logicalName, {
      partitionKey: { name: statusTable.partitionKey.name, type: AttributeType.STRING },
      sortKey: { name: statusTable.sortKey.name, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: statusTable.timeToLiveAttribute,
      globalSecondaryIndexes: statusTable.indexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey.name, type: AttributeType.STRING },
        sortKey: { name: index.sortKey.name, type: AttributeType.STRING },
      })),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const ingest = this.queueWithDeadLetter(ingestQueue);
    this.ingestQueue = ingest.queue;
    this.ingestDeadLetterQueue = ingest.deadLetterQueue;
    const countersign = this.queueWithDeadLetter(countersignQueue);
    this.countersignQueue = countersign.queue;
    const route = this.queueWithDeadLetter(routeQueue);
    this.routeQueue = route.queue;
    this.deadLetterQueues = [
      ingest.deadLetterQueue,
      countersign.deadLetterQueue,
      route.deadLetterQueue,
    ];

    // A parked document must bring a person: one alarm per DLQ as soon as a message lands there.
    const alarmKey = new Key(this, 'AlarmKey', {
      description: 'edoc-hub alarm topic encryption',
      enableKeyRotation: true,
    });
    alarmKey.grant(
      new ServicePrincipal('cloudwatch.amazonaws.com'),
      'kms:Decrypt',
      'kms:GenerateDataKey',
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', { masterKey: alarmKey, enforceSSL: true });
    if (config.alarmEmail)
      this.alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
    for (const dlq of this.deadLetterQueues) {
      deadLetterAlarm(this, `${dlq.node.id}Alarm`, {
        topic: this.alarmTopic,
        queue: dlq,
        description: `A document's message was parked in ${dlq.node.id}; see its reasons and redrive it.`,
      });
    }

    if (config.jwtIssuer === undefined) {
      this.userPool = new UserPool(this, 'Users', {
        selfSignUpEnabled: false,
        signInAliases: { email: true },
        mfa: Mfa.REQUIRED,
        mfaSecondFactor: { sms: false, otp: true },
        passwordPolicy: {
          minLength: 12,
          requireLowercase: true,
          requireUppercase: true,
          requireDigits: true,
          requireSymbols: true,
        },
        accountRecovery: AccountRecovery.EMAIL_ONLY,
        customAttributes: {
          agency: new StringAttribute({ minLen: 13, maxLen: 35, mutable: true }),
          role: new StringAttribute({ minLen: 5, maxLen: 6, mutable: true }),
        },
        deletionProtection: true,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan adds paid threat protection; with TOTP MFA required and accounts ' +
          'created only by administrators, the Essentials plan is the deliberate choice.',
      });
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG3',
        reason:
          'Threat protection (advanced security) is a paid Cognito plan; the pool already requires ' +
          'TOTP MFA, has no self sign-up, and accounts are created by administrators only.',
      });
      this.userPoolClient = this.userPool.addClient('AgencyClient', {
        authFlows: { userSrp: true },
        preventUserExistenceErrors: true,
        // Users may change only standard attributes: never their own agency or role.
        writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
      });
      this.userPoolDomain = this.userPool.addDomain('HostedUi', {
        cognitoDomain: {
          domainPrefix: config.cognitoDomainPrefix ?? `edoc-hub-${config.stage}-${Aws.ACCOUNT_ID}`,
        },
      });
      this.cliClient = this.userPool.addClient('CliClient', {
        authFlows: {},
        generateSecret: false,
        preventUserExistenceErrors: true,
        writeAttributes: new ClientAttributes().withStandardAttributes({ email: true }),
        oAuth: {
          flows: { authorizationCodeGrant: true },
          scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
          callbackUrls: [`http://localhost:${CLI_LOGIN_PORT}/callback`],
        },
      });
      new CfnOutput(this, 'HostedUiDomain', { value: this.userPoolDomain.baseUrl() });
      new CfnOutput(this, 'CliClientId', { value: this.cliClient.userPoolClientId });
    }
    this.axisSecret = config.axis
      ? new Secret(this, 'AxisSecret', {
          description: 'HMAC system secret of edoc-hub on the national document axis',
          removalPolicy: RemovalPolicy.RETAIN,
        })
      : undefined;
    if (this.axisSecret) {
      Validations.of(this.axisSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'The axis operator issues the system secret; it is replaced by hand when the operator ' +
          'issues a new one, so no rotation function can mint it.',
      });
    }

    // One asymmetric key per agency whose directory entry keeps its organization key in KMS;
    // the private key never leaves KMS, and only the countersign function is granted kms:Sign.
    this.organizationKeys = new Map();
    for (const agency of QUANG_NGAI_DIRECTORY.agencies) {
      const key = agency.organizationSigning?.key;
      if (key?.kind !== 'kms') continue;
      this.organizationKeys.set(
        agency.code,
        new Key(this, `OrganizationKey${agency.code.replaceAll('.', '')}`, {
          description: `Organization signature of ${agency.code}`,
          keySpec: KeySpec.RSA_2048,
          keyUsage: KeyUsage.SIGN_VERIFY,
          alias: key.keyId.replace(/^alias\//, ''),
          removalPolicy: RemovalPolicy.RETAIN,
        }),
      );
    }

    this.incomingBucket.addEventNotification(
      EventType.OBJECT_CREATED,
      new SqsDestination(this.ingestQueue),
      { prefix: incomingPrefix },
    );
    // CDK's own singleton that configures bucket notifications at deploy time.
    const notificationsHandler = this.node
      .findAll()
      .find((c) => c.node.id.startsWith('BucketNotificationsHandler'));
    if (notificationsHandler) {
      Validations.of(notificationsHandler).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
        reason:
          'CDK-managed deploy-time handler that only calls PutBucketNotificationConfiguration; ' +
          'it uses AWSLambdaBasicExecutionRole for its own logs and is not part of the data path.',
      });
    }
  }

  private queueWithDeadLetter(definition: QueueDefinition): {
    queue: Queue;
    deadLetterQueue: Queue;
  } {
    const deadLetterQueue = new Queue(this, `${definition.logicalName}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(definition.dlqRetentionDays),
    });
    const queue = new Queue(this, `${definition.logicalName}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(definition.visibilityTimeoutSeconds),
      retentionPeriod: Duration.days(definition.retentionDays),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: definition.maxReceiveCount },
    });
    return { queue, deadLetterQueue };
  }
}
