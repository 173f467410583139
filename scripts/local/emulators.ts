import { mkdir, open, readFile, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, HeadBucketCommand, S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  QueueDoesNotExist,
  SetQueueAttributesCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import dynalite from 'dynalite';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import {
  bucketName,
  countersignQueue,
  ingestQueue,
  type QueueDefinition,
  routeQueue,
  statusTable,
  type TableDefinition,
} from '#infra/definitions.ts';

/** fauxqs's fixed account; bucket names embed it the way `cdk deploy` embeds the real one. */
export const localAccount = '000000000000';
export const localRegion = 'us-east-1';
export const localStage = 'local';

/** Any credentials pass; the SDK still refuses to sign without some. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export type EmulatedService = 'S3/SQS' | 'DynamoDB' | 'API' | 'axis';

/** A port the emulators could not bind, so callers can tell the user which setting to change. */
export class PortInUseError extends Error {
  readonly port: number;
  readonly service: EmulatedService;

  constructor(service: EmulatedService, port: number, options?: { cause?: unknown }) {
    super(`port ${port} for the ${service} emulator is already in use`, options);
    this.name = 'PortInUseError';
    this.port = port;
    this.service = service;
  }
}

/** Two stacks on one state dir would overwrite each other's SQLite and LevelDB files. */
export class StateDirInUseError extends Error {
  readonly stateDir: string;
  readonly pid: number;

  constructor(stateDir: string, pid: number) {
    super(`state dir ${stateDir} is in use by process ${pid}`);
    this.name = 'StateDirInUseError';
    this.stateDir = stateDir;
    this.pid = pid;
  }
}

export interface QueueHandle {
  readonly name: string;
  readonly url: string;
  readonly arn: string;
}

export interface LocalResources {
  readonly buckets: {
    readonly incoming: string;
    readonly archive: string;
    readonly reports: string;
  };
  readonly table: string;
  readonly ingestQueue: QueueHandle;
  readonly ingestDeadLetterQueue: QueueHandle;
  readonly countersignQueue: QueueHandle;
  readonly routeQueue: QueueHandle;
}

export interface StartEmulatorsOptions {
  /** Where state survives restarts; in memory when omitted. */
  readonly stateDir?: string;
  /** 0 picks a free port. */
  readonly ports: { readonly aws: number; readonly dynamodb: number };
  /** Tests shorten the visibility timeout to see redrive within seconds. */
  readonly ingestQueueOverrides?: Partial<QueueDefinition>;
}

export interface Emulators {
  /** S3 and SQS share this endpoint (fauxqs). */
  readonly awsEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly fauxqs: FauxqsServer;
  readonly resources: LocalResources;
  readonly clients: {
    readonly s3: S3Client;
    readonly sqs: SQSClient;
    readonly dynamodb: DynamoDBClient;
  };
  stop(): Promise<void>;
}

/**
 * Starts fauxqs (S3 + SQS) and dynalite (DynamoDB) on loopback and creates the stack's resources
 * from `infra/definitions.ts`, so local and deployed shapes cannot drift. Creation is idempotent:
 * on a persisted state dir the resources are found and their attributes re-applied.
 */
export async function startEmulators(options: StartEmulatorsOptions): Promise<Emulators> {
  const { stateDir } = options;
  const unlock = stateDir === undefined ? async () => {} : await lockStateDir(stateDir);
  let fauxqs: FauxqsServer;
  let dynamodbServer: Server;
  try {
    ({ fauxqs, dynamodbServer } = await listen(options.ports, stateDir));
  } catch (error) {
    await unlock();
    throw error;
  }
  const dynamodbPort = (dynamodbServer.address() as AddressInfo).port;

  const awsEndpoint = `http://127.0.0.1:${fauxqs.port}`;
  const dynamodbEndpoint = `http://127.0.0.1:${dynamodbPort}`;
  const common = { region: localRegion, credentials: localCredentials };
  const clients = {
    s3: new S3Client({
      ...common,
      endpoint: awsEndpoint,
      forcePathStyle: true,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
    sqs: new SQSClient({ ...common, endpoint: awsEndpoint }),
    dynamodb: new DynamoDBClient({ ...common, endpoint: dynamodbEndpoint }),
  };

  const stop = async () => {
    for (const client of Object.values(clients)) client.destroy();
    await Promise.all([
      fauxqs.stop(),
      new Promise<void>((resolve) => dynamodbServer.close(() => resolve())),
    ]);
    await unlock();
  };

  try {
    const buckets = {
      incoming: bucketName(localStage, 'incoming', localAccount, localRegion),
      archive: bucketName(localStage, 'archive', localAccount, localRegion),
      reports: bucketName(localStage, 'reports', localAccount, localRegion),
    };
    for (const bucket of Object.values(buckets)) await ensureBucket(clients.s3, bucket);
    const table = localName(statusTable.logicalName);
    await ensureTable(clients.dynamodb, table, statusTable);
    const queues = await ensureQueueWithDeadLetter(clients.sqs, {
      ...ingestQueue,
      ...options.ingestQueueOverrides,
    });
    const countersign = await ensureQueueWithDeadLetter(clients.sqs, countersignQueue);
    const route = await ensureQueueWithDeadLetter(clients.sqs, routeQueue);
    return {
      awsEndpoint,
      dynamodbEndpoint,
      fauxqs,
      clients,
      resources: {
        buckets,
        table,
        ingestQueue: queueOnEndpoint(queues.queue, awsEndpoint),
        ingestDeadLetterQueue: queueOnEndpoint(queues.deadLetterQueue, awsEndpoint),
        countersignQueue: queueOnEndpoint(countersign.queue, awsEndpoint),
        routeQueue: queueOnEndpoint(route.queue, awsEndpoint),
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * What every handler needs to reach the emulators as the SDK reaches AWS: region, any credentials
 * and the endpoints (an IP endpoint makes every S3 client path-style).
 */
export function emulatorClientEnv(
  emulators: Pick<Emulators, 'awsEndpoint' | 'dynamodbEndpoint'>,
): Record<string, string> {
  return {
    AWS_REGION: localRegion,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_S3: emulators.awsEndpoint,
    AWS_ENDPOINT_URL_SQS: emulators.awsEndpoint,
    AWS_ENDPOINT_URL_DYNAMODB: emulators.dynamodbEndpoint,
    EDOC_S3_ENDPOINT: emulators.awsEndpoint,
  };
}

/**
 * fauxqs names queues `http://sqs.<region>.localhost:<port>/…`, which does not resolve everywhere,
 * and SDK clients send to the QueueUrl's host unless given an explicit endpoint. On the endpoint's
 * own origin, as in AWS, clients configured by `AWS_ENDPOINT_URL_SQS` alone work too; fauxqs finds
 * queues by the name in the path.
 */
export function queueOnEndpoint(queue: QueueHandle, endpoint: string): QueueHandle {
  return { ...queue, url: new URL(new URL(queue.url).pathname, endpoint).toString() };
}

/** `Status` → `edoc-local-status`: CDK generates deployed names; locally they only need to be stable. */
export function localName(logicalName: string): string {
  const kebab = logicalName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
  return `edoc-${localStage}-${kebab}`;
}

async function listen(
  ports: StartEmulatorsOptions['ports'],
  stateDir: string | undefined,
): Promise<{ fauxqs: FauxqsServer; dynamodbServer: Server }> {
  const fauxqs = await listenFauxqs(ports.aws, stateDir);
  try {
    return { fauxqs, dynamodbServer: await listenDynalite(ports.dynamodb, stateDir) };
  } catch (error) {
    await fauxqs.stop();
    throw error;
  }
}

async function listenFauxqs(port: number, stateDir: string | undefined): Promise<FauxqsServer> {
  try {
    return await startFauxqs({
      port,
      logger: false,
      defaultRegion: localRegion,
      // The bridge reads uploads from the spy; SQS events share its buffer, so keep it roomy.
      messageSpies: { bufferSize: 10_000 },
      ...(stateDir !== undefined
        ? { dataDir: join(stateDir, 'fauxqs'), s3StorageDir: join(stateDir, 's3') }
        : {}),
    });
  } catch (error) {
    throw isAddressInUse(error) ? new PortInUseError('S3/SQS', port, { cause: error }) : error;
  }
}

function listenDynalite(port: number, stateDir: string | undefined): Promise<Server> {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(stateDir !== undefined ? { path: join(stateDir, 'dynamodb') } : {}),
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error) => {
      reject(
        isAddressInUse(error) ? new PortInUseError('DynamoDB', port, { cause: error }) : error,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function lockStateDir(stateDir: string): Promise<() => Promise<void>> {
  await Promise.all(
    ['fauxqs', 's3', 'dynamodb'].map((d) => mkdir(join(stateDir, d), { recursive: true })),
  );
  const lockFile = join(stateDir, 'lock');
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx');
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(lockFile, { force: true });
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
    }
    const pid = Number(await readFile(lockFile, 'utf8').catch(() => ''));
    if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) {
      throw new StateDirInUseError(stateDir, pid);
    }
    // Left behind by a stack that was killed: take it over.
    await rm(lockFile, { force: true });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
}

async function ensureBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
  } catch {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  }
}

/**
 * Creates the table as the CDK app defines it (on-demand, same keys and GSIs), or checks that a
 * persisted one still matches; a mismatch means the definitions moved on and the state is stale.
 */
export async function ensureTable(
  dynamodb: DynamoDBClient,
  name: string,
  def: TableDefinition,
): Promise<void> {
  try {
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: name }));
    const existing = (Table?.GlobalSecondaryIndexes ?? []).map((i) => i.IndexName).sort();
    const wanted = def.indexes.map((i) => i.indexName).sort();
    if (existing.join() !== wanted.join()) {
      throw new Error(
        `table ${name} has indexes [${existing.join()}] but the definitions say [${wanted.join()}]: ` +
          'delete the local state dir to recreate it',
      );
    }
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  const attributes = new Map<string, 'S' | 'N'>();
  for (const key of [
    def.partitionKey,
    def.sortKey,
    ...def.indexes.flatMap((i) => [i.partitionKey, i.sortKey]),
  ]) {
    attributes.set(key.name, key.type);
  }
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map(([AttributeName, AttributeType]) => ({
        AttributeName,
        AttributeType,
      })),
      KeySchema: [
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        { AttributeName: def.sortKey.name, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: def.indexes.map((i) => ({
        IndexName: i.indexName,
        KeySchema: [
          { AttributeName: i.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: i.sortKey.name, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
}

const secondsPerDay = 86_400;

/**
 * The queue and its dead-letter queue with the attributes CDK sets from the same definition.
 * An existing queue gets its attributes re-applied, so a changed definition takes effect.
 */
export async function ensureQueueWithDeadLetter(
  sqs: SQSClient,
  def: QueueDefinition,
): Promise<{ queue: QueueHandle; deadLetterQueue: QueueHandle }> {
  const name = localName(def.logicalName);
  const deadLetterQueue = await ensureQueue(sqs, `${name}-dlq`, {
    MessageRetentionPeriod: String(def.dlqRetentionDays * secondsPerDay),
  });
  const queue = await ensureQueue(sqs, name, {
    VisibilityTimeout: String(def.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(def.retentionDays * secondsPerDay),
    RedrivePolicy: JSON.stringify({
      deadLetterTargetArn: deadLetterQueue.arn,
      maxReceiveCount: def.maxReceiveCount,
    }),
  });
  return { queue, deadLetterQueue };
}

async function ensureQueue(
  sqs: SQSClient,
  name: string,
  attributes: Record<string, string>,
): Promise<QueueHandle> {
  let url: string | undefined;
  try {
    ({ QueueUrl: url } = await sqs.send(new GetQueueUrlCommand({ QueueName: name })));
  } catch (error) {
    if (!(error instanceof QueueDoesNotExist)) throw error;
  }
  if (url === undefined) {
    ({ QueueUrl: url } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    ));
  } else {
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: attributes }));
  }
  if (url === undefined) throw new Error(`queue ${name} has no URL`);
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
  );
  const arn = Attributes?.QueueArn;
  if (arn === undefined) throw new Error(`queue ${name} has no ARN`);
  return { name, url, arn };
}
