import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { vi } from 'vitest';
import { DynamoDbStatusRepository } from '#adapters/dynamodb-status-repository.ts';
import { statusTable } from '#infra/definitions.ts';
import { createTable, startDynalite } from './dynalite.ts';
import { startLocalAws } from './local-aws.ts';

/** The table every handler test creates, as TABLE_NAME names it. */
export const TABLE = 'status';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface HandlerEnv {
  /** dynalite; `db.stop()` takes the table away from a handler under test. */
  readonly db: Awaited<ReturnType<typeof startDynalite>>;
  /** fauxqs, serving S3 and SQS. */
  readonly awsEndpoint: string;
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly repository: DynamoDbStatusRepository;
  /** URL of each queue created, by name. */
  readonly queueUrls: Readonly<Record<string, string>>;
  /** Unstubs the env and stops both emulators. */
  stop(): Promise<void>;
}

export interface HandlerEnvOptions {
  readonly buckets?: readonly string[];
  readonly queues?: readonly string[];
  /** Env of the handler under test, on top of region, credentials, endpoints and TABLE_NAME. */
  readonly env?: (started: Omit<HandlerEnv, 'stop'>) => Readonly<Record<string, string>>;
}

/**
 * What a Lambda handler finds when deployed, stood in locally: dynalite with the status table as
 * the CDK app defines it, fauxqs with `buckets` and `queues`, and the env pointing the handler's
 * clients there (stubbed with vi.stubEnv, so import the handler after this resolves).
 */
export async function startHandlerEnv(options: HandlerEnvOptions = {}): Promise<HandlerEnv> {
  const [localAws, db] = await Promise.all([startLocalAws(), startDynalite()]);
  await createTable(db.client, TABLE, statusTable);
  const s3 = new S3Client({
    endpoint: localAws.endpoint,
    forcePathStyle: true,
    region: 'us-east-1',
    credentials,
  });
  const sqs = new SQSClient({ endpoint: localAws.endpoint, region: 'us-east-1', credentials });
  for (const bucket of options.buckets ?? []) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
  const queueUrls: Record<string, string> = {};
  for (const queue of options.queues ?? []) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue }));
    if (QueueUrl === undefined) throw new Error(`fauxqs created ${queue} without a URL`);
    queueUrls[queue] = QueueUrl;
  }
  const started = {
    db,
    awsEndpoint: localAws.endpoint,
    s3,
    sqs,
    repository: new DynamoDbStatusRepository(db.client, TABLE),
    queueUrls,
  };

  const env: Record<string, string> = {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: db.endpoint,
    AWS_ENDPOINT_URL_SQS: localAws.endpoint,
    EDOC_S3_ENDPOINT: localAws.endpoint,
    TABLE_NAME: TABLE,
    ...options.env?.(started),
  };
  for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);

  return {
    ...started,
    async stop() {
      vi.unstubAllEnvs();
      s3.destroy();
      sqs.destroy();
      await Promise.all([localAws.stop(), db.stop()]);
    },
  };
}

/** The env documents-api reads besides what `startHandlerEnv` sets, with its `incoming` bucket. */
export const documentsApiEnv = (
  extra: Readonly<Record<string, string>> = {},
): Readonly<Record<string, string>> => ({
  INCOMING_BUCKET: 'incoming',
  ISSUER_INDEX: 'byIssuer',
  RECIPIENT_INDEX: 'byRecipient',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  ...extra,
});
